-- Khok Nong Na's seven activities: one row per amphoe × report month × activity × participant
-- group of the files in force. dim_area is at tambon grain, so the amphoe is its code (the
-- amphoe of dim_area and bi.amphoes), not an area key.

{% set dataset = 'knn_activities' %}
{{ config(indexes=fact_indexes('knn_activity_key'), meta={'dataset': dataset}) }}

with reports as (
    select * from {{ ref('int_knn_activities_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(
        province_code || '|' || amphoe_code || '|' || report_month
        || '|' || activity_code || '|' || participant_group_code
    ) as knn_activity_key,
    province_code,
    period,
    amphoe_code,
    report_month as date_key,
    activity_code,
    participant_group_code,
    people,
    wages_baht,
    sites,
    certified,
    spend_baht,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from reports
