-- Five-gear activities per province × month × gear × value-chain stage × sector × programme, every
-- code named in Thai and English: activities, participants, households reached, budget and
-- disbursed baht. For dashboards that count and sum activities (bi.activities stays one row per
-- activity). The numbers are marts.fct_activities_monthly's, built each night.
with monthly as (
    select * from {{ ref('fct_activities_monthly') }}
)

select
    monthly.province_code::text as province_code,
    {{ province_name_columns() }}
    {{ month_columns('monthly.date_key') }}
    {{ gear_columns('monthly') }}
    {{ activity_code_columns('monthly') }}
    monthly.activities::integer as activities,
    monthly.participants::integer as participants,
    monthly.households_reached::integer as households_reached,
    monthly.budget_baht::numeric(18, 2) as budget_baht,
    monthly.disbursed_baht::numeric(18, 2) as disbursed_baht
from monthly
{{ join_province_names('monthly.province_code') }}
{{ join_dates('monthly.date_key') }}
{{ join_gear_names('monthly.gear_code') }}
{{ join_activity_code_names('monthly') }}
