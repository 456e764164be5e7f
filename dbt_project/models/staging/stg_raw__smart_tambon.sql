with smart_tambon as (
    select * from {{ source('raw', 'smart_tambon') }}
)

select
    submission_id,
    source_row,
    tambon_code::text as tambon_code,
    report_month,
    dimension as dimension_code,
    level,
    sti_projects,
    households_involved,
    partner_sectors as partner_sector_codes,
    loaded_at
from smart_tambon
