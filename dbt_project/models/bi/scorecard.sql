-- The five-gear scorecard as a dashboard reads it: one row per CDD province (Bangkok, not in the
-- CDD network, is left out) × fiscal quarter × indicator, with province, region, gear and
-- indicator names and units in Thai and English.
with scorecard as (
    select * from {{ ref('fct_scorecard') }}
),

latest as (
    select max(quarter_start_date) as quarter_start_date from scorecard
)

select
    scorecard.province_code::text as province_code,
    {{ province_name_columns(with_region_code=true) }}
    {{ fiscal_quarter_columns('scorecard') }}
    {{ scorecard_indicator_columns('scorecard') }}
    scorecard.national_rank::integer as national_rank,
    scorecard.provinces_ranked::integer as provinces_ranked,
    scorecard.previous_quarter_value::numeric as previous_quarter_value,
    scorecard.change_from_previous_quarter::numeric as change_from_previous_quarter,
    scorecard.has_data::boolean as has_data,
    scorecard.unit_th::text as unit_th,
    scorecard.period_type::text as period_type,
    scorecard.target_period::text as target_period,
    scorecard.counting_unit::text as counting_unit
from scorecard
{{ join_province_names('scorecard.province_code') }}
{{ join_gear_names('scorecard.gear_code') }}
{{ join_indicator_names('scorecard.indicator_key') }}
