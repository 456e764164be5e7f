-- G2-SMART-MODEL and G2-SMART-<DIMENSION> (one per dimension of dim_smart_dimension) of the
-- scorecard per province and fiscal quarter, from fct_smart_tambon_levels alone: rebuilt on the
-- nights SMART TAMBON files arrive, not on another dataset's.
-- A month's level is the tambon's standing on the dimension as of that month, so months do not
-- add up: as of a quarter's end, each target tambon × dimension counts once, at its latest report
-- month from 1 October (the round is the fiscal year) to the quarter's end. The target tambons are
-- the tambons the province reported in that span. G2-SMART-<DIMENSION>: the share of them whose
-- level on the dimension reaches the var smart_tambon_pass_level (3 unless set; not verified), a
-- dimension not reported counting as not passed; G2-SMART-MODEL: the share that passed every
-- dimension. A standing as of the quarter's end is both the quarter's and the fiscal year's to
-- date: the two numerators (and denominators) are the same.
{% set pass_level = var('smart_tambon_pass_level', 3) %}

with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

levels as (
    select * from {{ ref('fct_smart_tambon_levels') }}
),

dimensions as (
    select dimension_code from {{ ref('dim_smart_dimension') }}
),

level_rows as (
    select
        levels.province_code,
        levels.area_key,
        levels.dimension_code,
        levels.date_key,
        levels.level,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter
    from levels
    inner join calendar on calendar.date_day = levels.date_key
),

-- A province has a row for a quarter only when it reported in that quarter.
report_quarters as (
    select distinct province_code, fiscal_year_be, fiscal_quarter from level_rows
),

latest as (
    select distinct on (
        report_quarters.province_code, report_quarters.fiscal_year_be, report_quarters.fiscal_quarter,
        level_rows.area_key, level_rows.dimension_code
    )
        report_quarters.province_code,
        report_quarters.fiscal_year_be,
        report_quarters.fiscal_quarter,
        level_rows.area_key,
        level_rows.dimension_code,
        level_rows.level >= {{ pass_level }} as passed
    from report_quarters
    inner join level_rows
        on level_rows.province_code = report_quarters.province_code
        and level_rows.fiscal_year_be = report_quarters.fiscal_year_be
        and level_rows.fiscal_quarter <= report_quarters.fiscal_quarter
    order by
        report_quarters.province_code asc, report_quarters.fiscal_year_be asc, report_quarters.fiscal_quarter asc,
        level_rows.area_key asc, level_rows.dimension_code asc, level_rows.date_key desc
),

target_tambons as (
    select
        latest.province_code,
        latest.fiscal_year_be,
        latest.fiscal_quarter,
        latest.area_key,
        count(dimensions.dimension_code) filter (where latest.passed) as dimensions_passed
    from latest
    left join dimensions on dimensions.dimension_code = latest.dimension_code
    group by latest.province_code, latest.fiscal_year_be, latest.fiscal_quarter, latest.area_key
),

dimension_measures as (
    select
        target_tambons.province_code,
        target_tambons.fiscal_year_be,
        target_tambons.fiscal_quarter,
        'G2-SMART-' || upper(dimensions.dimension_code) as indicator_code,
        (count(*) filter (where latest.passed))::numeric as numerator,
        count(*)::numeric as denominator
    from target_tambons
    cross join dimensions
    left join latest
        on latest.province_code = target_tambons.province_code
        and latest.fiscal_year_be = target_tambons.fiscal_year_be
        and latest.fiscal_quarter = target_tambons.fiscal_quarter
        and latest.area_key = target_tambons.area_key
        and latest.dimension_code = dimensions.dimension_code
    group by
        target_tambons.province_code, target_tambons.fiscal_year_be, target_tambons.fiscal_quarter,
        dimensions.dimension_code
),

model_measures as (
    select
        province_code,
        fiscal_year_be,
        fiscal_quarter,
        'G2-SMART-MODEL' as indicator_code,
        (count(*) filter (where dimensions_passed = (select count(*) from dimensions)))::numeric as numerator,
        count(*)::numeric as denominator
    from target_tambons
    group by province_code, fiscal_year_be, fiscal_quarter
),

measures as (
    select * from model_measures
    union all
    select * from dimension_measures
)

select
    province_code,
    fiscal_year_be,
    fiscal_quarter,
    indicator_code,
    numerator,
    denominator,
    numerator as fy_to_date_numerator,
    denominator as fy_to_date_denominator
from measures
