with pracharath_projects as (
    select * from {{ source('raw', 'pracharath_projects') }}
)

select
    submission_id,
    source_row,
    project_id,
    project_name,
    body as body_code,
    enterprise_id,
    tambon_code::text as tambon_code,
    sector as sector_code,
    value_chain_stage as value_chain_stage_code,
    partner_sectors as partner_sector_codes,
    report_month,
    status as status_code,
    support_baht,
    members,
    revenue_baht,
    loaded_at
from pracharath_projects
