with activities as (
    select * from {{ source('raw', 'activities') }}
),

current_submissions as (
    select * from {{ ref('stg_ops__current_submissions') }}
    where dataset = 'activities'
)

select
    activities.submission_id,
    activities.source_row,
    current_submissions.revision,
    current_submissions.province_code,
    current_submissions.period,
    activities.activity_id,
    activities.tambon_code,
    activities.activity_date,
    activities.gear::smallint as gear_code,
    activities.value_chain_stage as value_chain_stage_code,
    activities.sector as sector_code,
    activities.programme as programme_code,
    activities.partner_sectors as partner_sector_codes,
    activities.participants,
    activities.households_reached,
    activities.budget_baht,
    activities.disbursed_baht,
    activities.loaded_at
from activities
inner join current_submissions using (submission_id)
