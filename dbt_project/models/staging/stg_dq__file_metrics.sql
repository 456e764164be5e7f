-- Each measure of each loaded file (thanrak.observe), its name split into the kind of measure,
-- the contract column it is of and, for a code's share, the code (everything after the second
-- colon: a code may hold one).
with file_metrics as (
    select * from {{ source('dq', 'file_metric') }}
)

select
    submission_id,
    metric,
    split_part(metric, ':', 1) as metric_kind,
    nullif(split_part(metric, ':', 2), '') as column_name,
    substring(metric from '^[^:]*:[^:]*:(.+)$') as code,
    value
from file_metrics
