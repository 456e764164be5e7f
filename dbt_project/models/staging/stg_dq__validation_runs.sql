with validation_runs as (
    select * from {{ source('dq', 'validation_run') }}
)

select
    submission_id,
    suite_name,
    success as is_success,
    rows_evaluated,
    validated_at
from validation_runs
