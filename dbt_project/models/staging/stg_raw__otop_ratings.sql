with otop_ratings as (
    select * from {{ source('raw', 'otop_ratings') }}
)

select
    submission_id,
    source_row,
    product_id,
    producer_id,
    product_category as product_category_code,
    tambon_code::text as tambon_code,
    opc_round,
    star_level,
    score,
    segment as segment_code,
    mark_tier as mark_tier_code,
    announced_on,
    loaded_at
from otop_ratings
