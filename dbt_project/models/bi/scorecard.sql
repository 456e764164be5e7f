-- The five-gear scorecard as a dashboard reads it: one row per CDD province × fiscal quarter ×
-- indicator, with province, region, gear and indicator names in Thai and English.
with scorecard as (
    select * from {{ ref('fct_scorecard') }}
),

provinces as (
    select * from {{ ref('provinces') }}
),

gears as (
    select * from {{ ref('dim_gear') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

latest as (
    select max(quarter_start_date) as quarter_start_date from scorecard
)

select
    scorecard.province_code::text as province_code,
    provinces.province_name_th,
    provinces.province_name_en,
    provinces.region_code,
    provinces.region_th,
    provinces.region_en,
    scorecard.fiscal_year_be::integer as fiscal_year_be,
    scorecard.fiscal_quarter::smallint as fiscal_quarter,
    scorecard.fiscal_quarter_label::text as fiscal_quarter_label,
    ('ไตรมาส ' || scorecard.fiscal_quarter || '/' || scorecard.fiscal_year_be)::text as fiscal_quarter_label_th,
    scorecard.quarter_start_date::date as quarter_start_date,
    (scorecard.quarter_start_date = (select quarter_start_date from latest)) as is_latest_quarter,
    scorecard.gear_code::smallint as gear_code,
    gears.name_th::text as gear_name_th,
    gears.name_en::text as gear_name_en,
    scorecard.indicator_code::text as indicator_code,
    indicators.name_th::text as indicator_name_th,
    indicators.name_en::text as indicator_name_en,
    indicators.unit::text as unit,
    indicators.direction::text as direction,
    scorecard.indicator_value::numeric as indicator_value,
    scorecard.target::numeric as target,
    scorecard.attainment::numeric as attainment,
    (scorecard.attainment >= 1) as meets_target,
    scorecard.national_rank::integer as national_rank,
    scorecard.provinces_ranked::integer as provinces_ranked,
    scorecard.previous_quarter_value::numeric as previous_quarter_value,
    scorecard.change_from_previous_quarter::numeric as change_from_previous_quarter,
    scorecard.has_data::boolean as has_data
from scorecard
left join provinces on provinces.province_code = scorecard.province_code
left join gears on gears.gear_code = scorecard.gear_code
left join indicators on indicators.indicator_key = scorecard.indicator_key
