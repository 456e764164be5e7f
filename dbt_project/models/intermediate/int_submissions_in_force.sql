-- The revision in force for each province, dataset and period: the latest delivered one that
-- loaded (ties by file name, then revision). A rejected resubmission does not replace a good
-- earlier file, and a file found late but delivered before the one in force does not either.
with submissions as (
    select * from {{ ref('stg_ops__submissions') }}
    where status = 'loaded'
),

ranked as (
    select
        *,
        row_number() over (
            partition by province_code, dataset, period
            order by delivered_at desc, source_key desc, revision desc
        ) as recency
    from submissions
)

select
    submission_id,
    province_code,
    dataset,
    period,
    revision,
    source_key,
    delivered_at,
    delivery_night
from ranked
where recency = 1
