-- Five-gear activities per province × fiscal year × gear × value-chain stage × sector × programme,
-- every code named in Thai and English: for dashboards of a whole fiscal year (a year of
-- bi.activities_monthly is about 205 k rows nationally, this about a tenth). The numbers are
-- marts.fct_activities_yearly's, built each night.
with yearly as (
    select * from {{ ref('fct_activities_yearly') }}
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
    yearly.province_code::text as province_code,
    {{ province_name_columns() }}
    yearly.fiscal_year_be::integer as fiscal_year_be,
    {{ gear_columns('yearly') }}
    yearly.value_chain_stage_code::text as value_chain_stage_code,
    stages.name_th::text as value_chain_stage_th,
    stages.name_en::text as value_chain_stage_en,
    yearly.sector_code::text as sector_code,
    sectors.name_th::text as sector_th,
    sectors.name_en::text as sector_en,
    yearly.programme_code::text as programme_code,
    programmes.name_th::text as programme_th,
    programmes.name_en::text as programme_en,
    yearly.activities::integer as activities,
    yearly.participants::integer as participants,
    yearly.households_reached::integer as households_reached,
    yearly.budget_baht::numeric(18, 2) as budget_baht,
    yearly.disbursed_baht::numeric(18, 2) as disbursed_baht
from yearly
{{ join_province_names('yearly.province_code') }}
{{ join_gear_names('yearly.gear_code') }}
left join stages on stages.value_chain_stage_code = yearly.value_chain_stage_code
left join sectors on sectors.sector_code = yearly.sector_code
left join programmes on programmes.programme_code = yearly.programme_code
