-- Each rule's result on each file, with where and when the file came from: what fails most,
-- by province, dataset, night and rule.
with rule_results as (
    select * from {{ ref('stg_dq__rule_results') }}
),

validation_runs as (
    select * from {{ ref('stg_dq__validation_runs') }}
),

submissions as (
    select * from {{ ref('stg_ops__submissions') }}
)

select
    rule_results.submission_id,
    submissions.province_code,
    submissions.dataset,
    submissions.period,
    submissions.delivery_night,
    rule_results.rule,
    rule_results.column_name,
    rule_results.severity,
    rule_results.failed_rows,
    validation_runs.rows_evaluated,
    rule_results.failed_rows > 0 as failed
from rule_results
inner join validation_runs using (submission_id)
inner join submissions using (submission_id)
