-- The national scorecard: one row per fiscal quarter × indicator, with gear and indicator names.
with national as (
    select * from {{ ref('fct_scorecard_national') }}
),

gears as (
    select * from {{ ref('dim_gear') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

latest as (
    select max(quarter_start_date) as quarter_start_date from national
)

select
    national.fiscal_year_be::integer as fiscal_year_be,
    national.fiscal_quarter::smallint as fiscal_quarter,
    national.fiscal_quarter_label::text as fiscal_quarter_label,
    ('ไตรมาส ' || national.fiscal_quarter || '/' || national.fiscal_year_be)::text as fiscal_quarter_label_th,
    national.quarter_start_date::date as quarter_start_date,
    (national.quarter_start_date = (select quarter_start_date from latest)) as is_latest_quarter,
    national.gear_code::smallint as gear_code,
    gears.name_th::text as gear_name_th,
    gears.name_en::text as gear_name_en,
    national.indicator_code::text as indicator_code,
    indicators.name_th::text as indicator_name_th,
    indicators.name_en::text as indicator_name_en,
    indicators.unit::text as unit,
    indicators.direction::text as direction,
    national.indicator_value::numeric as indicator_value,
    national.target::numeric as target,
    national.attainment::numeric as attainment,
    (national.attainment >= 1) as meets_target,
    national.provinces_with_data::integer as provinces_with_data,
    national.provinces_meeting_target::integer as provinces_meeting_target,
    national.previous_quarter_value::numeric as previous_quarter_value,
    national.change_from_previous_quarter::numeric as change_from_previous_quarter
from national
left join gears on gears.gear_code = national.gear_code
left join indicators on indicators.indicator_key = national.indicator_key
