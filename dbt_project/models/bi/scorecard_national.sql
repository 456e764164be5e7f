-- The national scorecard: one row per fiscal quarter × indicator, with gear and indicator names.
with national as (
    select * from {{ ref('fct_scorecard_national') }}
),

latest as (
    select max(quarter_start_date) as quarter_start_date from national
)

select
    {{ fiscal_quarter_columns('national') }}
    {{ scorecard_indicator_columns('national') }}
    national.provinces_with_data::integer as provinces_with_data,
    national.provinces_meeting_target::integer as provinces_meeting_target,
    national.previous_quarter_value::numeric as previous_quarter_value,
    national.change_from_previous_quarter::numeric as change_from_previous_quarter,
    national.unit_th::text as unit_th,
    national.period_type::text as period_type,
    national.target_period::text as target_period,
    national.counting_unit::text as counting_unit
from national
{{ join_gear_names('national.gear_code') }}
{{ join_indicator_names('national.indicator_key') }}
