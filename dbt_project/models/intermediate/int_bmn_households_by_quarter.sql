-- G2-ABOVE-INCOME of the scorecard: per province and fiscal quarter, households above the
-- income threshold among those surveyed, of the quarter and of the fiscal year to the quarter's
-- end. A national year is 12.8 M households, so this is counted one province at a time
-- (macros/province_increments.sql) and int_scorecard_measures_by_quarter reads the result.
{{ rebuilt_by_province('bmn_households') }}

with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

households as (
    select province_code, household_key, period, is_below_threshold
    from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

-- The survey identifies households (household_key): a household surveyed twice counts once,
-- judged by its latest survey up to the quarter's end. Survey rows carry a year, not a date:
-- they count in the quarter of the file's period. The quarters come from the survey files in
-- force (a handful of rows), so the households are read once, not once more to list them.
-- (one row per province × period: int_submissions_in_force holds one submission per slot)
slot_quarters as (
    select
        slots.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        slots.period
    from {{ ref('int_submissions_in_force') }} as slots
    inner join calendar on calendar.date_day = to_date(slots.period || '-01', 'YYYY-MM-DD')
    where slots.dataset = 'bmn_households'
),

household_quarters as (
    select distinct province_code, fiscal_year_be, fiscal_quarter from slot_quarters
),

household_rows as (
    select
        households.province_code,
        households.household_key,
        households.period,
        households.is_below_threshold,
        slot_quarters.fiscal_year_be,
        slot_quarters.fiscal_quarter
    from households
    inner join slot_quarters
        on slot_quarters.province_code = households.province_code and slot_quarters.period = households.period
),

-- A household's last survey in each quarter it was surveyed, and the next quarter it was
-- surveyed again: that survey is its latest for the quarters from its own up to that next one.
-- One sort of the households (a join of each quarter to every survey before it sorted the
-- households once per quarter).
last_in_quarter as (
    select
        province_code,
        fiscal_year_be,
        fiscal_quarter,
        is_below_threshold,
        next_fiscal_quarter
    from (
        select
            province_code,
            fiscal_year_be,
            fiscal_quarter,
            is_below_threshold,
            lead(fiscal_quarter) over household_surveys as next_fiscal_quarter
        from household_rows
        -- the key's hash first: integer comparisons sort 14 M rows about 1.5x faster than text
        window household_surveys as (
            partition by province_code, fiscal_year_be, hashtextextended(household_key, 0), household_key
            order by period
        )
    ) as surveys
    where next_fiscal_quarter is distinct from fiscal_quarter
),

household_latest as (
    select
        household_quarters.province_code,
        household_quarters.fiscal_year_be,
        household_quarters.fiscal_quarter,
        last_in_quarter.fiscal_quarter = household_quarters.fiscal_quarter as is_in_quarter,
        last_in_quarter.is_below_threshold
    from household_quarters
    inner join last_in_quarter
        on last_in_quarter.province_code = household_quarters.province_code
        and last_in_quarter.fiscal_year_be = household_quarters.fiscal_year_be
        and last_in_quarter.fiscal_quarter <= household_quarters.fiscal_quarter
        and household_quarters.fiscal_quarter < coalesce(last_in_quarter.next_fiscal_quarter, 5)
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
