-- Each check of a loaded file that came out unusual (thanrak.observe), its name split into the
-- measure and the contract column, and a code shift's detail (the code that moved most, its
-- share in the file and its usual share) as columns.
with anomalies as (
    select * from {{ source('dq', 'anomaly') }}
)

select
    submission_id,
    check_name,
    split_part(check_name, ':', 1) as metric,
    nullif(split_part(check_name, ':', 2), '') as column_name,
    detail ->> 'code' as code,
    (detail ->> 'share')::double precision as code_share,
    (detail ->> 'usual_share')::double precision as usual_code_share,
    observed,
    expected,
    expected_low,
    expected_high,
    score,
    direction,
    level,
    baseline,
    history_periods,
    assessed_at
from anomalies
