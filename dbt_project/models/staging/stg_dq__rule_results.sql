with rule_results as (
    select * from {{ source('dq', 'rule_result') }}
),

runs as (
    select * from {{ source('dq', 'validation_run') }}
)

select
    rule_results.submission_id,
    runs.suite_name,
    rule_results.rule,
    nullif(rule_results.column_name, '') as column_name,
    rule_results.severity,
    rule_results.failed_rows,
    runs.rows_evaluated,
    runs.validated_at
from rule_results
inner join runs using (submission_id)
