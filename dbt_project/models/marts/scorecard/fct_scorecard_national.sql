-- The national roll-up of the scorecard: per fiscal quarter × indicator, the value over all CDD
-- provinces over the indicator's period (for a ratio the ratio of the totals, not an average of
-- ratios; for a count or an amount the total), the national target for that period (the sum of
-- the provinces' targets for a total, the national row of indicator_targets for a ratio),
-- attainment, and how many provinces had data and met their target.
with scorecard as (
    select * from {{ ref('fct_scorecard') }}
),

indicators as (
    select * from {{ ref('indicator_definitions') }}
),

targets as (
    select * from {{ ref('indicator_targets') }} where province_code is null
),

national as (
    select
        scorecard.fiscal_year_be,
        scorecard.fiscal_quarter,
        min(scorecard.fiscal_quarter_label) as fiscal_quarter_label,
        min(scorecard.quarter_start_date) as quarter_start_date,
        scorecard.gear_code,
        scorecard.indicator_code,
        min(scorecard.indicator_key) as indicator_key,
        sum(scorecard.numerator) as numerator,
        sum(scorecard.denominator) as denominator,
        sum(scorecard.target) as sum_of_province_targets,
        count(*) filter (where scorecard.has_data)::integer as provinces_with_data,
        count(*) filter (where scorecard.attainment >= 1)::integer as provinces_meeting_target
    from scorecard
    group by scorecard.fiscal_year_be, scorecard.fiscal_quarter, scorecard.gear_code, scorecard.indicator_code
),

with_definitions as (
    select
        national.*,
        indicators.value_multiplier,
        indicators.direction,
        indicators.aggregation,
        indicators.period_type,
        indicators.target_period,
        indicators.counting_unit,
        indicators.unit,
        indicators.unit_th
    from national
    inner join indicators using (indicator_code)
),

valued as (
    select
        with_definitions.*,
        {{ indicator_value('with_definitions.numerator', 'with_definitions.denominator', 'with_definitions.value_multiplier') }}
            as indicator_value,
        case
            when with_definitions.aggregation = 'sum' then with_definitions.sum_of_province_targets
            else targets.target::numeric
        end as target
    from with_definitions
    left join targets on {{ target_applies('targets', 'with_definitions') }}
),

with_previous as (
    select
        valued.*,
        previous.indicator_value as previous_quarter_value
    from valued
    left join valued as previous
        on previous.indicator_code = valued.indicator_code
        and {{ is_comparable_previous_quarter('previous', 'valued') }}
)

select
    md5(fiscal_year_be || '|' || fiscal_quarter || '|' || indicator_code) as national_scorecard_key,
    fiscal_year_be,
    fiscal_quarter,
    fiscal_quarter_label,
    quarter_start_date,
    gear_code,
    indicator_code,
    indicator_key,
    numerator,
    denominator,
    indicator_value,
    target,
    {{ attainment('indicator_value', 'target', 'direction') }} as attainment,
    provinces_with_data,
    provinces_meeting_target,
    previous_quarter_value,
    indicator_value - previous_quarter_value as change_from_previous_quarter,
    period_type,
    target_period,
    counting_unit,
    unit,
    unit_th
from with_previous
