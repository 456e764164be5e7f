-- OTOP products with category and star rating (OPC, 1-5) from the most recent sales row.
with sales as (
    select * from {{ ref('int_otop_sales_in_force') }}
),

categories as (
    select * from {{ ref('contract_code_lists') }} where code_list = 'product_category'
),

latest as (
    select distinct on (province_code, product_id)
        province_code,
        product_id,
        producer_id,
        product_category_code,
        star_rating
    from sales
    order by province_code asc, product_id asc, sale_month desc, submission_id desc, source_row asc
)

select
    md5(latest.province_code || '|' || latest.product_id) as product_key,
    latest.product_id,
    latest.province_code,
    md5(latest.province_code || '|' || latest.producer_id) as producer_key,
    latest.product_category_code,
    categories.name_th as product_category_th,
    categories.name_en as product_category_en,
    latest.star_rating
from latest
left join categories on categories.code = latest.product_category_code
