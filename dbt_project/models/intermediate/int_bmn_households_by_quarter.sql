-- G2-ABOVE-INCOME of the scorecard: per province and fiscal quarter, households above the
-- income threshold among those surveyed, of the quarter and of the fiscal year to the quarter's
-- end. A national year is 12.8 M households, so this is counted one province at a time
-- (macros/province_increments.sql) and int_scorecard_measures_by_quarter reads the result.
{{ rebuilt_by_province('bmn_households') }}

with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

households as (
    select * from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

-- The survey identifies households (household_key): a household surveyed twice counts once,
-- judged by its latest survey up to the quarter's end. Survey rows carry a year, not a date:
-- they count in the quarter of the file's period.
household_rows as (
    select
        households.province_code,
        households.household_key,
        households.period,
        households.is_below_threshold,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter
    from households
    inner join calendar on calendar.date_day = to_date(households.period || '-01', 'YYYY-MM-DD')
),

household_quarters as (
    select distinct province_code, fiscal_year_be, fiscal_quarter from household_rows
),

household_latest as (
    select distinct on (
        household_quarters.province_code, household_quarters.fiscal_year_be, household_quarters.fiscal_quarter,
        household_rows.household_key
    )
        household_quarters.province_code,
        household_quarters.fiscal_year_be,
        household_quarters.fiscal_quarter,
        household_rows.fiscal_quarter = household_quarters.fiscal_quarter as is_in_quarter,
        household_rows.is_below_threshold
    from household_quarters
    inner join household_rows
        on household_rows.province_code = household_quarters.province_code
        and household_rows.fiscal_year_be = household_quarters.fiscal_year_be
        and household_rows.fiscal_quarter <= household_quarters.fiscal_quarter
    order by
        household_quarters.province_code asc, household_quarters.fiscal_year_be asc,
        household_quarters.fiscal_quarter asc, household_rows.household_key asc, household_rows.period desc
),

household_sums as (
    select
        province_code,
        fiscal_year_be,
        fiscal_quarter,
        'G2-ABOVE-INCOME' as indicator_code,
        count(*) filter (where is_in_quarter and not is_below_threshold)::numeric as numerator,
        count(*) filter (where is_in_quarter)::numeric as denominator,
        count(*) filter (where not is_below_threshold)::numeric as fy_to_date_numerator,
        count(*)::numeric as fy_to_date_denominator
    from household_latest
    group by province_code, fiscal_year_be, fiscal_quarter
)

select
    household_sums.*,
    versions.source_version
from household_sums
inner join versions on versions.province_code = household_sums.province_code
