-- SMART TAMBON rounds: one row per target tambon × round × dimension, the dimension taken at its
-- latest report month of the round. The round is the fiscal year (BE) of the report month, a
-- working assumption (docs/programmes/smart_tambon.md). A dimension passes at the level of the
-- var smart_tambon_pass_level (3 unless set; not verified). A model tambon passed all the
-- dimensions of dim_smart_dimension in the round, each at its latest month: a tambon with a
-- dimension never reported in the round is not one. Rebuilt in full with its fact (a few rows
-- per target tambon and year).
{% set pass_level = var('smart_tambon_pass_level', 3) %}
{{ config(indexes=[{'columns': ['province_code', 'fiscal_year_be']}]) }}

with levels as (
    select * from {{ ref('fct_smart_tambon_levels') }}
),

calendar as (
    select date_day, fiscal_year_be from {{ ref('stg_ref__calendar') }}
),

dimensions as (
    select dimension_code from {{ ref('dim_smart_dimension') }}
),

-- Each tambon × dimension of a round at its latest report month in the round: a month's level
-- is the standing as of that month, so months do not add up.
latest as (
    select distinct on (levels.province_code, levels.area_key, calendar.fiscal_year_be, levels.dimension_code)
        levels.province_code,
        levels.area_key,
        calendar.fiscal_year_be,
        levels.dimension_code,
        levels.date_key,
        levels.level,
        levels.level >= {{ pass_level }} as passed,
        levels.sti_projects,
        levels.households_involved
    from levels
    inner join calendar on calendar.date_day = levels.date_key
    order by
        levels.province_code asc, levels.area_key asc, calendar.fiscal_year_be asc, levels.dimension_code asc,
        levels.date_key desc
),

tambon_rounds as (
    select
        latest.province_code,
        latest.area_key,
        latest.fiscal_year_be,
        count(*) filter (where latest.passed) as dimensions_passed
    from latest
    inner join dimensions on dimensions.dimension_code = latest.dimension_code
    group by latest.province_code, latest.area_key, latest.fiscal_year_be
)

select
    latest.province_code::text as province_code,
    latest.area_key::text as area_key,
    latest.fiscal_year_be::integer as fiscal_year_be,
    latest.dimension_code::text as dimension_code,
    latest.date_key::date as date_key,
    latest.level::integer as level,
    {{ pass_level }}::integer as pass_level,
    latest.passed::boolean as passed,
    coalesce(tambon_rounds.dimensions_passed, 0)::integer as dimensions_passed,
    (coalesce(tambon_rounds.dimensions_passed, 0) = (select count(*) from dimensions))::boolean as model_tambon,
    latest.sti_projects::integer as sti_projects,
    latest.households_involved::integer as households_involved
from latest
left join tambon_rounds
    on tambon_rounds.province_code = latest.province_code
    and tambon_rounds.area_key = latest.area_key
    and tambon_rounds.fiscal_year_be = latest.fiscal_year_be
