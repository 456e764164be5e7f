-- Each scorecard indicator's numerator and denominator per province and fiscal quarter, from
-- the facts (so the scorecard reconciles with them). The indicator value is numerator /
-- denominator × value_multiplier (seed indicator_definitions); a count or an amount has no
-- denominator.
-- A province that delivered a dataset but had nothing of a kind gets 0, one that delivered
-- nothing for the quarter gets no row (the scorecard shows "no data").
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

activities as (
    select * from {{ ref('fct_activities') }}
),

otop_sales as (
    select * from {{ ref('fct_otop_sales') }}
),

plot_progress as (
    select * from {{ ref('fct_plot_progress') }}
),

disbursement as (
    select * from {{ ref('fct_budget_disbursement') }}
),

households as (
    select * from {{ ref('fct_bmn_household') }}
),

completeness as (
    select * from {{ ref('fct_dq_completeness') }}
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
    group by 1, 2, 3
),

otop_sums as (
    select
        otop_sales.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        sum(otop_sales.revenue_baht) as revenue_baht,
        coalesce(sum(otop_sales.revenue_baht) filter (where otop_sales.channel_code = 'online'), 0) as online_baht
    from otop_sales
    inner join calendar on calendar.date_day = otop_sales.date_key
    group by 1, 2, 3
),

plot_sums as (
    select
        plot_progress.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        sum(plot_progress.progress_pct) as progress_pct_sum,
        count(*) as reports
    from plot_progress
    inner join calendar on calendar.date_day = plot_progress.date_key
    group by 1, 2, 3
),

budget_sums as (
    select
        disbursement.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        sum(disbursement.disbursed_baht) as disbursed_baht,
        sum(disbursement.allocated_baht) as allocated_baht
    from disbursement
    inner join calendar on calendar.date_day = disbursement.date_key
    group by 1, 2, 3
),

-- Survey rows carry a year, not a date: they count in the quarter of the file's period.
household_sums as (
    select
        households.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        count(*) filter (where not households.is_below_threshold) as households_above,
        count(*) as households_surveyed
    from households
    inner join calendar on calendar.date_day = to_date(households.period || '-01', 'YYYY-MM-DD')
    group by 1, 2, 3
),

delivery_sums as (
    select
        completeness.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        count(*) filter (where completeness.delivery_status = 'on_time') as cells_on_time,
        count(*) as cells
    from completeness
    inner join calendar on calendar.date_day = completeness.delivery_night
    group by 1, 2, 3
),

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
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G3-OTOP-SALES', revenue_baht, null from otop_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G3-OTOP-ONLINE', online_baht, revenue_baht
    from otop_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G1-KNN-PROGRESS', progress_pct_sum, reports
    from plot_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G5-DISBURSEMENT', disbursed_baht, allocated_baht
    from budget_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G2-ABOVE-INCOME', households_above, households_surveyed
    from household_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G5-ON-TIME', cells_on_time, cells
    from delivery_sums
)

select * from measures
