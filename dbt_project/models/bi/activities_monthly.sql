-- Five-gear activities per province × month × gear × value-chain stage × sector × programme, every
-- code named in Thai and English: activities, participants, households reached, budget and
-- disbursed baht. For dashboards that count and sum activities (bi.activities stays one row per
-- activity). The numbers are marts.fct_activities_monthly's, built each night.
with monthly as (
    select * from {{ ref('fct_activities_monthly') }}
),

stages as (
    select * from {{ ref('dim_value_chain_stage') }}
),

sectors as (
    select * from {{ ref('dim_sector') }}
),

programmes as (
    select * from {{ ref('dim_programme') }}
)

select
    monthly.province_code::text as province_code,
    {{ province_name_columns() }}
    {{ month_columns('monthly.date_key') }}
    {{ gear_columns('monthly') }}
    monthly.value_chain_stage_code::text as value_chain_stage_code,
    stages.name_th::text as value_chain_stage_th,
    stages.name_en::text as value_chain_stage_en,
    monthly.sector_code::text as sector_code,
    sectors.name_th::text as sector_th,
    sectors.name_en::text as sector_en,
    monthly.programme_code::text as programme_code,
    programmes.name_th::text as programme_th,
    programmes.name_en::text as programme_en,
    monthly.activities::integer as activities,
    monthly.participants::integer as participants,
    monthly.households_reached::integer as households_reached,
    monthly.budget_baht::numeric(18, 2) as budget_baht,
    monthly.disbursed_baht::numeric(18, 2) as disbursed_baht
from monthly
{{ join_province_names('monthly.province_code') }}
{{ join_dates('monthly.date_key') }}
{{ join_gear_names('monthly.gear_code') }}
left join stages on stages.value_chain_stage_code = monthly.value_chain_stage_code
left join sectors on sectors.sector_code = monthly.sector_code
left join programmes on programmes.programme_code = monthly.programme_code
