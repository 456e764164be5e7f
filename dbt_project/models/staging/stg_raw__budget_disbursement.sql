with disbursement as (
    select * from {{ source('raw', 'budget_disbursement') }}
)

select
    submission_id,
    source_row,
    project_code,
    project_name,
    unit_code::text as unit_code,
    -- A district office's code is its amphoe; "XX00" is the provincial office.
    case when right(unit_code, 2) = '00' then null else unit_code::text end as amphoe_code,
    budget_month,
    allocated_baht,
    committed_baht,
    disbursed_baht,
    returned_baht,
    loaded_at
from disbursement
