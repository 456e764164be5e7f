-- OTOP products: those of the sales files in force and those of the OPC results in force (a
-- product rated but never sold is one too). Producer and category from the most recent sales row,
-- else from the latest round's result. The star level from the product's latest OPC round
-- (stars_source 'opc_round', the round's BE year in stars_round_be); a product with no round on
-- file keeps the star rating of its most recent sales row, as in contract v1 ('sales_row').
with sales as (
    select * from {{ ref('int_otop_sales_in_force') }}
),

ratings as (
    select * from {{ ref('int_otop_ratings_in_force') }}
),

producers as (
    select producer_key from {{ ref('dim_otop_producer') }}
),

categories as (
    select * from {{ ref('contract_code_lists') }} where code_list = 'product_category'
),

latest_sale as (
    select distinct on (province_code, product_id)
        province_code,
        product_id,
        producer_id,
        product_category_code,
        star_rating
    from sales
    order by province_code asc, product_id asc, sale_month desc, submission_id desc, source_row asc
),

latest_round as (
    select distinct on (province_code, product_id)
        province_code,
        product_id,
        producer_id,
        product_category_code,
        opc_round,
        star_level
    from ratings
    order by province_code asc, product_id asc, opc_round desc
),

products as (
    select
        coalesce(latest_sale.province_code, latest_round.province_code) as province_code,
        coalesce(latest_sale.product_id, latest_round.product_id) as product_id,
        coalesce(latest_sale.producer_id, latest_round.producer_id) as producer_id,
        coalesce(latest_sale.product_category_code, latest_round.product_category_code) as product_category_code,
        coalesce(latest_round.star_level, latest_sale.star_rating) as star_rating,
        latest_round.opc_round as stars_round_be,
        case when latest_round.opc_round is not null then 'opc_round' else 'sales_row' end as stars_source
    from latest_sale
    full outer join latest_round
        on latest_round.province_code = latest_sale.province_code
        and latest_round.product_id = latest_sale.product_id
)

select
    md5(products.province_code || '|' || products.product_id) as product_key,
    products.product_id,
    products.province_code,
    -- Empty for a rated product whose producer has no sales row (not in dim_otop_producer).
    producers.producer_key,
    products.product_category_code,
    categories.name_th as product_category_th,
    categories.name_en as product_category_en,
    products.star_rating,
    products.stars_round_be,
    products.stars_source
from products
left join producers on producers.producer_key = md5(products.province_code || '|' || products.producer_id)
left join categories on categories.code = products.product_category_code
