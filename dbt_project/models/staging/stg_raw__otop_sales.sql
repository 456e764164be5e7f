with otop_sales as (
    select * from {{ source('raw', 'otop_sales') }}
)

select
    submission_id,
    source_row,
    producer_id,
    producer_type as producer_type_code,
    product_id,
    product_category as product_category_code,
    star_rating,
    tambon_code::text as tambon_code,
    sale_month,
    channel as channel_code,
    revenue_baht,
    units_sold,
    loaded_at
from otop_sales
