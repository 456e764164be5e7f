-- OTOP sales per province × month × sales channel × product category, with names in Thai and
-- English: revenue, units, and how many producers and products sold.
with sales as (
    select * from {{ ref('fct_otop_sales') }}
),

products as (
    select product_key, product_category_code from {{ ref('dim_otop_product') }}
),

categories as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'product_category'
),

channels as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'sales_channel'
),

monthly as (
    select
        sales.province_code,
        sales.date_key,
        sales.channel_code,
        products.product_category_code,
        sum(sales.revenue_baht) as revenue_baht,
        sum(sales.units_sold) as units_sold,
        count(distinct sales.producer_key) as producers,
        count(distinct sales.product_key) as products,
        count(*) as sales_rows
    from sales
    left join products on products.product_key = sales.product_key
    group by sales.province_code, sales.date_key, sales.channel_code, products.product_category_code
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
