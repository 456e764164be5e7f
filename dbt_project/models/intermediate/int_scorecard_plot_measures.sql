-- G1-KNN-PROGRESS of the scorecard per province and fiscal quarter, of the quarter and of the
-- fiscal year to the quarter's end, from fct_plot_progress alone: rebuilt on the nights Khok
-- Nong Na files arrive, not on another dataset's. The mean progress of the plots' reports: the
-- sum of their percentages over the number of reports.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

plot_progress as (
    select * from {{ ref('fct_plot_progress') }}
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

measures as (
    select
        province_code,
        fiscal_year_be,
        fiscal_quarter,
        'G1-KNN-PROGRESS' as indicator_code,
        progress_pct_sum as numerator,
        reports::numeric as denominator
    from plot_sums
),

-- Sums over a quarter add up to the fiscal year to date.
to_date as (
    {{ summed_fiscal_year_to_date('measures') }}
)

select * from to_date
