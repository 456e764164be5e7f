-- OTOP Product Champion results, one row per product × selection round (province × product ×
-- round), with the province's names, the fiscal quarter of the announcement and the product's
-- category, segment and mark tier named in Thai and English (Thai first). The rows are
-- marts.fct_otop_rating's: a round corrected by a later file shows once, as corrected.
with ratings as (
    select * from {{ ref('fct_otop_rating') }}
),

products as (
    select product_key, product_id, stars_round_be from {{ ref('dim_otop_product') }}
),

areas as (
    select * from {{ ref('dim_area') }}
),

categories as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'product_category'
),

segments as (
    select * from {{ ref('dim_otop_segment') }}
),

mark_tiers as (
    select * from {{ ref('dim_otop_mark_tier') }}
)

select
    ratings.province_code::text as province_code,
    {{ province_name_columns() }}
    ratings.area_key::text as tambon_code,
    areas.tambon_name_th::text as tambon_name_th,
    areas.tambon_name_en::text as tambon_name_en,
    products.product_id::text as product_id,
    ratings.opc_round::integer as opc_round,
    (products.stars_round_be = ratings.opc_round) as is_latest_round,
    ratings.date_key::date as announced_on,
    dates.fiscal_year_be::integer as fiscal_year_be,
    dates.fiscal_quarter::smallint as fiscal_quarter,
    ratings.product_category_code::text as product_category_code,
    categories.name_th::text as product_category_th,
    categories.name_en::text as product_category_en,
    ratings.star_level::integer as star_level,
    ratings.score::numeric(16, 2) as score,
    ratings.segment_code::text as segment_code,
    segments.name_th::text as segment_th,
    segments.name_en::text as segment_en,
    ratings.mark_tier_code::text as mark_tier_code,
    mark_tiers.name_th::text as mark_tier_th,
    mark_tiers.name_en::text as mark_tier_en
from ratings
left join products on products.product_key = ratings.product_key
left join areas on areas.area_key = ratings.area_key
{{ join_province_names('ratings.province_code') }}
{{ join_dates('ratings.date_key') }}
left join categories on categories.code = ratings.product_category_code
left join segments on segments.segment_code = ratings.segment_code
left join mark_tiers on mark_tiers.mark_tier_code = ratings.mark_tier_code
