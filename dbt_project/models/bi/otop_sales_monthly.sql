-- OTOP sales per province × month × sales channel × product category, with names in Thai and
-- English: revenue, units, and how many producers and products sold. The numbers are
-- marts.fct_otop_sales_monthly's, built each night: this view only names the codes.
with monthly as (
    select * from {{ ref('fct_otop_sales_monthly') }}
),

categories as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'product_category'
),

channels as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'sales_channel'
)

select
    monthly.province_code::text as province_code,
    {{ province_name_columns() }}
    {{ month_columns('monthly.date_key', with_year_ce=true) }}
    monthly.channel_code::text as channel_code,
    channels.name_th::text as channel_name_th,
    channels.name_en::text as channel_name_en,
    monthly.product_category_code::text as product_category_code,
    categories.name_th::text as product_category_th,
    categories.name_en::text as product_category_en,
    monthly.revenue_baht::numeric(18, 2) as revenue_baht,
    monthly.units_sold::bigint as units_sold,
    monthly.producers::integer as producers,
    monthly.products::integer as products,
    monthly.sales_rows::integer as sales_rows
from monthly
{{ join_province_names('monthly.province_code') }}
{{ join_dates('monthly.date_key') }}
left join channels on channels.code = monthly.channel_code
left join categories on categories.code = monthly.product_category_code
