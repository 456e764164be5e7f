-- The revision in force for each province, dataset and period: the latest one that loaded.
-- A rejected resubmission does not replace a good earlier file.
with submissions as (
    select * from {{ source('ops', 'submission') }}
),

ranked as (
    select
        submission_id,
        province_code,
        dataset,
        period,
        revision,
        source_key,
        delivered_at,
        processed_at,
        row_number() over (
            partition by province_code, dataset, period order by revision desc
        ) as recency
    from submissions
    where status = 'loaded'
)

select
    submission_id,
    province_code,
    dataset,
    period,
    revision,
    source_key,
    delivered_at,
    processed_at
from ranked
where recency = 1
