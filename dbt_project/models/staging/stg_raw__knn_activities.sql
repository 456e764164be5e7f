with knn_activities as (
    select * from {{ source('raw', 'knn_activities') }}
)

select
    submission_id,
    source_row,
    amphoe_code::text as amphoe_code,
    report_month,
    activity as activity_code,
    participant_group as participant_group_code,
    people,
    wages_baht,
    sites,
    certified,
    spend_baht,
    loaded_at
from knn_activities
