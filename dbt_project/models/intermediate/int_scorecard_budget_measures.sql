-- G5-DISBURSEMENT of the scorecard per province and fiscal quarter, of the quarter and of the
-- fiscal year to the quarter's end, from fct_budget_disbursement alone: rebuilt on the nights
-- budget files arrive, not on another dataset's.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

disbursement as (
    select * from {{ ref('fct_budget_disbursement') }}
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
)

select * from budget_sums
