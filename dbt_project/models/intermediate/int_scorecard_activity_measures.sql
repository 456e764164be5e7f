-- G1-HOUSEHOLDS, G2-TRAINEES, G4-EVENTS and G4-AUDIENCE of the scorecard per province and fiscal
-- quarter, of the quarter and of the fiscal year to the quarter's end, from fct_activities alone:
-- rebuilt on the nights activities files arrive, not on another dataset's.
-- A province has the four rows for every quarter it reported any activity in (0 for a gear it had
-- nothing of), none for a quarter it reported nothing.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

activities as (
    select * from {{ ref('fct_activities') }}
),

activity_sums as (
    select
        activities.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        coalesce(sum(activities.households_reached) filter (where activities.gear_code = 1), 0) as g1_households,
        coalesce(sum(activities.participants) filter (where activities.gear_code = 2), 0) as g2_trainees,
        count(*) filter (where activities.gear_code = 4) as g4_events,
        coalesce(sum(activities.participants) filter (where activities.gear_code = 4), 0) as g4_audience
    from activities
    inner join calendar on calendar.date_day = activities.date_key
    group by activities.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
),

-- Counts (household-times, person-times, events): no denominator.
measures as (
    select
        province_code, fiscal_year_be, fiscal_quarter, 'G1-HOUSEHOLDS' as indicator_code,
        g1_households::numeric as numerator, null::numeric as denominator
    from activity_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G2-TRAINEES', g2_trainees, null from activity_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G4-EVENTS', g4_events, null from activity_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G4-AUDIENCE', g4_audience, null from activity_sums
),

-- Sums over a quarter add up to the fiscal year to date.
to_date as (
    {{ summed_fiscal_year_to_date('measures') }}
)

select * from to_date
