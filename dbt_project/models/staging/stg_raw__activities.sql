with activities as (
    select * from {{ source('raw', 'activities') }}
)

select
    submission_id,
    source_row,
    activity_id,
    tambon_code::text as tambon_code,
    activity_date,
    gear::smallint as gear_code,
    value_chain_stage as value_chain_stage_code,
    sector as sector_code,
    programme as programme_code,
    partner_sectors as partner_sector_codes,
    participants,
    households_reached,
    budget_baht,
    disbursed_baht,
    loaded_at
from activities
