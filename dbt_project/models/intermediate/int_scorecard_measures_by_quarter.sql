-- Each scorecard indicator's numerator and denominator per province and fiscal quarter, twice:
-- from the quarter's own data and from the fiscal year up to the quarter's end (1 October
-- onwards); the scorecard takes the one its seed declares (indicator_definitions.period_type).
-- The value is numerator / denominator × value_multiplier; a count or an amount has no
-- denominator. From the facts, so the scorecard reconciles with them.
-- A province has a row for a quarter only when it delivered data for that quarter (0 when it had
-- nothing of a kind): a fiscal-year-to-date value is not carried into a quarter without data.
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
    group by activities.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
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
    group by otop_sales.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
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
    group by plot_progress.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
),

-- Slots count in the quarter of their period. A quarter nobody delivered anything for is left
-- out (no scorecard row), and a slot counts once it is decided: its due date has passed, or it
-- was delivered on time already.
slot_quarters as (
    select
        completeness.province_code,
        completeness.delivery_status,
        completeness.is_due,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter
    from completeness
    inner join calendar on calendar.date_day = completeness.period_start_date
),

delivered_quarters as (
    select distinct fiscal_year_be, fiscal_quarter
    from slot_quarters
    where delivery_status in ('on_time', 'late')
),

delivery_sums as (
    select
        slot_quarters.province_code,
        slot_quarters.fiscal_year_be,
        slot_quarters.fiscal_quarter,
        count(*) filter (where slot_quarters.delivery_status = 'on_time') as slots_on_time,
        count(*) as slots_decided
    from slot_quarters
    inner join delivered_quarters using (fiscal_year_be, fiscal_quarter)
    where slot_quarters.delivery_status = 'on_time' or slot_quarters.is_due
    group by slot_quarters.province_code, slot_quarters.fiscal_year_be, slot_quarters.fiscal_quarter
),

-- Sums over a quarter add up to the fiscal year to date.
summable as (
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
    select province_code, fiscal_year_be, fiscal_quarter, 'G5-ON-TIME', slots_on_time, slots_decided
    from delivery_sums
),

summable_to_date as (
    select
        *,
        sum(numerator) over fiscal_year_so_far as fy_to_date_numerator,
        sum(denominator) over fiscal_year_so_far as fy_to_date_denominator
    from summable
    window fiscal_year_so_far as (partition by province_code, fiscal_year_be, indicator_code order by fiscal_quarter)
),

-- A budget row is a project's standing as of its month (allocation and disbursement so far), so
-- budget months do not add up: each project × unit counts once, at its latest month up to the
-- quarter's end. The quarter's own value takes the projects whose latest month is in the quarter.
budget_rows as (
    select
        disbursement.province_code,
        disbursement.project_code,
        disbursement.unit_code,
        disbursement.date_key,
        disbursement.allocated_baht,
        disbursement.disbursed_baht,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter
    from disbursement
    inner join calendar on calendar.date_day = disbursement.date_key
),

budget_quarters as (
    select distinct province_code, fiscal_year_be, fiscal_quarter from budget_rows
),

budget_latest as (
    select distinct on (
        budget_quarters.province_code, budget_quarters.fiscal_year_be, budget_quarters.fiscal_quarter,
        budget_rows.project_code, budget_rows.unit_code
    )
        budget_quarters.province_code,
        budget_quarters.fiscal_year_be,
        budget_quarters.fiscal_quarter,
        budget_rows.fiscal_quarter = budget_quarters.fiscal_quarter as is_in_quarter,
        budget_rows.allocated_baht,
        budget_rows.disbursed_baht
    from budget_quarters
    inner join budget_rows
        on budget_rows.province_code = budget_quarters.province_code
        and budget_rows.fiscal_year_be = budget_quarters.fiscal_year_be
        and budget_rows.fiscal_quarter <= budget_quarters.fiscal_quarter
    order by
        budget_quarters.province_code asc, budget_quarters.fiscal_year_be asc, budget_quarters.fiscal_quarter asc,
        budget_rows.project_code asc, budget_rows.unit_code asc, budget_rows.date_key desc
),

budget_sums as (
    select
        province_code,
        fiscal_year_be,
        fiscal_quarter,
        'G5-DISBURSEMENT' as indicator_code,
        coalesce(sum(disbursed_baht) filter (where is_in_quarter), 0) as numerator,
        coalesce(sum(allocated_baht) filter (where is_in_quarter), 0) as denominator,
        sum(disbursed_baht) as fy_to_date_numerator,
        sum(allocated_baht) as fy_to_date_denominator
    from budget_latest
    group by province_code, fiscal_year_be, fiscal_quarter
),

-- G2-ABOVE-INCOME: distinct households, counted one province at a time
-- (int_bmn_households_by_quarter).
household_sums as (
    select
        province_code, fiscal_year_be, fiscal_quarter, indicator_code,
        numerator, denominator, fy_to_date_numerator, fy_to_date_denominator
    from {{ ref('int_bmn_households_by_quarter') }}
),

measures as (
    select * from summable_to_date
    union all
    select * from budget_sums
    union all
    select * from household_sums
)

select * from measures
