-- G5-PRACHARATH-MEETINGS, G5-PRACHARATH-RESOLUTIONS and G3-PRACHARATH-REVENUE of the scorecard
-- per province and fiscal quarter, of the quarter and of the fiscal year to the quarter's end,
-- from fct_pracharath_meetings and fct_pracharath_projects alone: rebuilt on the nights
-- Pracharath files arrive, not on another dataset's.
-- - meetings: the number of meetings the two bodies held (a count, no denominator);
-- - resolutions: resolutions carried out over resolutions passed, of the meetings held in the
--   period (a meeting's resolutions_done as its file reports it);
-- - revenue: the sum of the supported projects' revenue of the months in the period (an amount).
-- A province has the two meeting rows for every quarter it reported a meeting in and the revenue
-- row for every quarter it reported a project in; none for a quarter it reported nothing of.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

meetings as (
    select * from {{ ref('fct_pracharath_meetings') }}
),

projects as (
    select * from {{ ref('fct_pracharath_projects') }}
),

meeting_sums as (
    select
        meetings.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        count(*) as meetings_held,
        sum(meetings.resolutions) as resolutions,
        sum(meetings.resolutions_done) as resolutions_done
    from meetings
    inner join calendar on calendar.date_day = meetings.date_key
    group by meetings.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
),

project_sums as (
    select
        projects.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        sum(projects.revenue_baht) as revenue_baht
    from projects
    inner join calendar on calendar.date_day = projects.date_key
    group by projects.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
),

measures as (
    select
        province_code, fiscal_year_be, fiscal_quarter, 'G5-PRACHARATH-MEETINGS' as indicator_code,
        meetings_held::numeric as numerator, null::numeric as denominator
    from meeting_sums
    union all
    select
        province_code, fiscal_year_be, fiscal_quarter, 'G5-PRACHARATH-RESOLUTIONS',
        resolutions_done::numeric, resolutions::numeric
    from meeting_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G3-PRACHARATH-REVENUE', revenue_baht, null
    from project_sums
),

-- Counts and sums over a quarter add up to the fiscal year to date.
to_date as (
    {{ summed_fiscal_year_to_date('measures') }}
)

select * from to_date
