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

provinces as (
    select * from {{ ref('provinces') }}
),

dates as (
    select * from {{ ref('dim_date') }}
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
    provinces.province_name_th,
    provinces.province_name_en,
    provinces.region_th,
    provinces.region_en,
    monthly.date_key::date as month_start_date,
    dates.year_ce::integer as year_ce,
    dates.year_be::integer as year_be,
    dates.month::smallint as month,
    dates.month_name_th::text as month_name_th,
    dates.month_name_en::text as month_name_en,
    dates.fiscal_year_be::integer as fiscal_year_be,
    dates.fiscal_quarter::smallint as fiscal_quarter,
    dates.fiscal_quarter_label::text as fiscal_quarter_label,
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
left join provinces on provinces.province_code = monthly.province_code
left join dates on dates.date_key = monthly.date_key
left join channels on channels.code = monthly.channel_code
left join categories on categories.code = monthly.product_category_code
