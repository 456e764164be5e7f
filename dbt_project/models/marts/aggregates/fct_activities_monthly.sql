-- Five-gear activities per province × month × gear × programme × value-chain stage × sector, with
-- the month's fiscal year: activities, participants, households reached, budget and disbursed baht.
-- The aggregate behind bi.activities_monthly, for dashboards that count and sum activities
-- (activities-by-gear read every row of bi.activities, 2.3 s at national scale, bench/results);
-- bi.activities stays one row per activity. Rebuilt in full with its fact each night: one read of
-- fct_activities, under 1 s for 365 k activities on two cores (ten copies of the bench's 10 %
-- fact). The grain is nearly as fine as the fact: about 0.6 rows per activity at the bench's
-- national sizes (207 k rows).
-- Index: the national dashboard query reads every row of a fiscal year (about 180 ms as bi_reader
-- on a table of 207 k synthetic rows; no index helps it). A provincial reader's row-level-security
-- filter (province_code = any (...)) and a province's months use it (EXPLAIN at national density:
-- activities-by-gear as a provincial reader 36 -> 10 ms).
{{ config(indexes=[{'columns': ['province_code', 'date_key']}]) }}

with activities as (
    select * from {{ ref('fct_activities') }}
),

dates as (
    select date_key, fiscal_year_be from {{ ref('dim_date') }}
),

monthly as (
    select
        activities.province_code,
        date_trunc('month', activities.date_key)::date as date_key,
        dates.fiscal_year_be,
        activities.gear_code,
        activities.programme_code,
        activities.value_chain_stage_code,
        activities.sector_code,
        count(*) as activities,
        sum(activities.participants) as participants,
        sum(activities.households_reached) as households_reached,
        sum(activities.budget_baht) as budget_baht,
        sum(activities.disbursed_baht) as disbursed_baht
    from activities
    left join dates on dates.date_key = activities.date_key
    group by
        activities.province_code,
        date_trunc('month', activities.date_key),
        dates.fiscal_year_be,
        activities.gear_code,
        activities.programme_code,
        activities.value_chain_stage_code,
        activities.sector_code
)

select
    province_code::text as province_code,
    date_key::date as date_key,
    fiscal_year_be::integer as fiscal_year_be,
    gear_code::smallint as gear_code,
    programme_code::text as programme_code,
    value_chain_stage_code::text as value_chain_stage_code,
    sector_code::text as sector_code,
    activities::integer as activities,
    participants::integer as participants,
    households_reached::integer as households_reached,
    budget_baht::numeric(18, 2) as budget_baht,
    disbursed_baht::numeric(18, 2) as disbursed_baht
from monthly
