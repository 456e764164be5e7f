with rule_results as (
    select * from {{ source('dq', 'rule_result') }}
)

select
    submission_id,
    rule,
    nullif(column_name, '') as column_name,
    severity,
    failed_rows
from rule_results
