-- SMART TAMBON assessment per target tambon × round (fiscal year) × dimension: where (tambon,
-- amphoe, province, region), the dimension in Thai and English, the level at the dimension's
-- latest report month of the round, whether it passed and whether the tambon is a model tambon
-- (passed every dimension). The numbers are marts.fct_smart_tambon_rounds', built each night:
-- this view names the codes. Count model tambons with count(distinct tambon_code) filter
-- (where model_tambon): the flag repeats on each of a tambon's dimensions.
with rounds as (
    select * from {{ ref('fct_smart_tambon_rounds') }}
),

areas as (
    select area_key, amphoe_code, tambon_name_th, tambon_name_en from {{ ref('dim_area') }}
),

dimensions as (
    select * from {{ ref('dim_smart_dimension') }}
)

select
    rounds.province_code::text as province_code,
    {{ province_name_columns() }}
    areas.amphoe_code::text as amphoe_code,
    {{ amphoe_name_columns() }}
    rounds.area_key::text as tambon_code,
    areas.tambon_name_th::text as tambon_name_th,
    areas.tambon_name_en::text as tambon_name_en,
    rounds.fiscal_year_be::integer as fiscal_year_be,
    rounds.dimension_code::text as dimension_code,
    dimensions.name_th::text as dimension_th,
    dimensions.name_en::text as dimension_en,
    dimensions.sort_order::integer as dimension_sort_order,
    rounds.date_key::date as assessed_month_start_date,
    dates.month_name_th::text as assessed_month_name_th,
    dates.month_name_en::text as assessed_month_name_en,
    dates.year_be::integer as assessed_year_be,
    rounds.level::integer as level,
    rounds.pass_level::integer as pass_level,
    rounds.passed::boolean as passed,
    rounds.dimensions_passed::integer as dimensions_passed,
    rounds.model_tambon::boolean as model_tambon,
    rounds.sti_projects::integer as sti_projects,
    rounds.households_involved::integer as households_involved
from rounds
left join areas on areas.area_key = rounds.area_key
{{ join_province_names('rounds.province_code') }}
{{ join_amphoe_names('areas.amphoe_code') }}
left join dimensions on dimensions.dimension_code = rounds.dimension_code
{{ join_dates('rounds.date_key') }}
