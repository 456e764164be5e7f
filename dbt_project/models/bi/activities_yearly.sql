-- Five-gear activities per province × fiscal year × gear × value-chain stage × sector × programme,
-- every code named in Thai and English: for dashboards of a whole fiscal year (a year of
-- bi.activities_monthly is about 205 k rows nationally, this about 24 k). The numbers are
-- marts.fct_activities_yearly's, built each night.
with yearly as (
    select * from {{ ref('fct_activities_yearly') }}
)

select
    yearly.province_code::text as province_code,
    {{ province_name_columns() }}
    yearly.fiscal_year_be::integer as fiscal_year_be,
    {{ gear_columns('yearly') }}
    {{ activity_code_columns('yearly') }}
    yearly.activities::integer as activities,
    yearly.participants::integer as participants,
    yearly.households_reached::integer as households_reached,
    yearly.budget_baht::numeric(18, 2) as budget_baht,
    yearly.disbursed_baht::numeric(18, 2) as disbursed_baht
from yearly
{{ join_province_names('yearly.province_code') }}
{{ join_gear_names('yearly.gear_code') }}
{{ join_activity_code_names('yearly') }}
