-- Every delivered file with its night of delivery (what arrived between 01:00 on day D and
-- 01:00 on D+1, Bangkok time, belongs to night D) and whether it was late: after the offices'
-- deadline that night (var delivery_deadline), or picked up only by a later night's run.
with submissions as (
    select * from {{ source('ops', 'submission') }}
),

with_night as (
    select
        *,
        delivered_at at time zone 'Asia/Bangkok' as delivered_local,
        ((delivered_at at time zone 'Asia/Bangkok') - interval '1 hour')::date as delivery_night
    from submissions
)

select
    submission_id,
    province_code,
    dataset,
    period,
    revision,
    source_key,
    content_sha256,
    file_format,
    byte_size,
    status,
    encoding,
    rows_received,
    rows_loaded,
    rows_quarantined,
    reject_reason_th,
    reject_reason_en,
    delivered_at,
    delivery_night,
    night as processed_night,
    (
        delivered_local > delivery_night + '{{ var("delivery_deadline") }}'::time
        or night > delivery_night
    ) as is_late
from with_night
