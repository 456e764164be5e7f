-- Each measure of each province × dataset × period slot (thanrak.observe's dq.file_metric), from
-- the slot's file in force (its latest loaded revision, int_submissions_in_force): the history
-- behind the report's small charts and BI trend charts. days_late is measured on a slot's first
-- file only (the delivery judged against the due date), so it is that file's whichever revision
-- is in force.
-- Index: the report reads one slot's measure over its last periods, and a provincial reader's
-- row-level-security filter starts with province_code.
{{ config(indexes=[{'columns': ['province_code', 'dataset', 'metric', 'period']}]) }}

with file_metrics as (
    select * from {{ ref('stg_dq__file_metrics') }}
),

submissions as (
    select * from {{ ref('stg_ops__submissions') }}
),

submissions_in_force as (
    select submission_id from {{ ref('int_submissions_in_force') }}
)

select
    submissions.province_code,
    submissions.dataset,
    submissions.period,
    to_date(submissions.period || '-01', 'YYYY-MM-DD') as period_start_date,
    file_metrics.metric,
    file_metrics.metric_kind,
    file_metrics.column_name,
    file_metrics.code,
    file_metrics.value,
    file_metrics.submission_id,
    submissions.revision,
    submissions.processed_night
from file_metrics
inner join submissions using (submission_id)
left join submissions_in_force using (submission_id)
where submissions_in_force.submission_id is not null or file_metrics.metric_kind = 'days_late'
