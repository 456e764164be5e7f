-- Five-gear activities per province × fiscal year × gear × programme × value-chain stage × sector:
-- the aggregate behind bi.activities_yearly, for dashboards of a whole fiscal year.
-- fct_activities_monthly's grain is nearly the fact's (about 0.6 rows per activity), so a year's
-- dashboard over it sums about 205 k rows at national density (activities-by-gear 202-240 ms,
-- bench/results/national-2026-12-06.md); a year has at most one row per combination here
-- (76 provinces × 5 gears × programmes × 3 stages × 3 sectors). Rebuilt in full each night from the
-- monthly table, one read of it.
-- Index: a provincial reader's row-level-security filter and one province's years.
{{ config(indexes=[{'columns': ['province_code', 'fiscal_year_be']}]) }}

with monthly as (
    select * from {{ ref('fct_activities_monthly') }}
)

select
    province_code::text as province_code,
    fiscal_year_be::integer as fiscal_year_be,
    gear_code::smallint as gear_code,
    programme_code::text as programme_code,
    value_chain_stage_code::text as value_chain_stage_code,
    sector_code::text as sector_code,
    sum(activities)::integer as activities,
    sum(participants)::integer as participants,
    sum(households_reached)::integer as households_reached,
    sum(budget_baht)::numeric(18, 2) as budget_baht,
    sum(disbursed_baht)::numeric(18, 2) as disbursed_baht
from monthly
group by province_code, fiscal_year_be, gear_code, programme_code, value_chain_stage_code, sector_code
