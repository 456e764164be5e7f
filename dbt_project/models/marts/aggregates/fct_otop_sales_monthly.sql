-- OTOP sales per province × month × sales channel × product category: revenue, units, and how many
-- producers and products sold. The aggregate behind bi.otop_sales_monthly, which grouped every
-- sales row of fct_otop_sales on each dashboard query (2.9-3.0 s at national scale, bench/results).
-- Rebuilt in full with its fact each night: one read of fct_otop_sales and a sort of all its rows
-- for the distinct counts of producers and products, 5-7 s for 3.4 M rows on two cores (ten copies
-- of the bench's 10 % fact; the distinct counts are most of it). About 23 k rows, nationally as at
-- a tenth of the scale.
-- Index: the national dashboard queries read every row (20 ms as bi_reader; no index helps them). A
-- provincial reader's row-level-security filter (province_code = any (...)) and a province's months
-- use it (EXPLAIN at bench scale 0.1: bitmap index scan, 3.6 -> 2.2 ms).
{{ config(indexes=[{'columns': ['province_code', 'date_key']}]) }}

with sales as (
    select * from {{ ref('fct_otop_sales') }}
),

products as (
    select product_key, product_category_code from {{ ref('dim_otop_product') }}
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
    province_code::text as province_code,
    date_key::date as date_key,
    channel_code::text as channel_code,
    product_category_code::text as product_category_code,
    revenue_baht::numeric(18, 2) as revenue_baht,
    units_sold::bigint as units_sold,
    producers::integer as producers,
    products::integer as products,
    sales_rows::integer as sales_rows
from monthly
