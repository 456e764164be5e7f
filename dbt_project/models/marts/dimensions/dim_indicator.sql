-- Every indicator a fact or the scorecard refers to: the five-gear scorecard indicators
-- (seed indicator_definitions, which planners edit), the BMN (จปฐ.) survey items of each
-- indicator set, and the BMN income criterion with the threshold of each set.
with scorecard_indicators as (
    select * from {{ ref('indicator_definitions') }}
),

targets as (
    select * from {{ ref('indicator_targets') }}
    where province_code is null
),

latest_national_targets as (
    select distinct on (indicator_code) indicator_code, fiscal_year_be, target
    from targets
    order by indicator_code asc, fiscal_year_be desc
),

bmn_sets as (
    select * from {{ ref('bmn_indicator_sets') }}
),

scorecard as (
    select
        scorecard_indicators.indicator_code,
        scorecard_indicators.indicator_set_version,
        'scorecard' as indicator_family,
        scorecard_indicators.gear_code::smallint as gear_code,
        scorecard_indicators.name_th,
        scorecard_indicators.name_en,
        scorecard_indicators.unit,
        scorecard_indicators.direction,
        scorecard_indicators.definition_en,
        null::numeric as threshold,
        null::boolean as threshold_verified,
        latest_national_targets.target::numeric as latest_target,
        latest_national_targets.fiscal_year_be as latest_target_fiscal_year_be
    from scorecard_indicators
    left join latest_national_targets using (indicator_code)
),

bmn_items as (
    select
        'BMN-' || lpad(item::text, 2, '0') as indicator_code,
        bmn_sets.indicator_set as indicator_set_version,  -- noqa: RF03
        'bmn_survey' as indicator_family,
        null::smallint as gear_code,
        'จปฐ. ตัวชี้วัดที่ ' || item as name_th,
        'BMN indicator ' || item as name_en,
        'households passing' as unit,
        'higher_is_better' as direction,
        'Household passes item ' || item || ' of the ' || bmn_sets.indicator_set || ' survey tool' as definition_en,
        null::numeric as threshold,
        null::boolean as threshold_verified,
        null::numeric as latest_target,
        null::integer as latest_target_fiscal_year_be
    from bmn_sets
    cross join lateral generate_series(1, bmn_sets.indicator_count) as item
),

bmn_income as (
    select
        'BMN-INCOME' as indicator_code,
        indicator_set as indicator_set_version,
        'bmn_survey' as indicator_family,
        null::smallint as gear_code,
        'รายได้เฉลี่ยต่อคนต่อปีไม่ต่ำกว่าเกณฑ์' as name_th,
        'Income per person per year at or above the threshold' as name_en,
        'baht/person/year' as unit,
        'higher_is_better' as direction,
        source_note as definition_en,
        income_threshold_baht::numeric as threshold,
        threshold_verified::boolean as threshold_verified,
        null::numeric as latest_target,
        null::integer as latest_target_fiscal_year_be
    from bmn_sets
),

all_indicators as (
    select * from scorecard
    union all
    select * from bmn_items
    union all
    select * from bmn_income
)

select
    indicator_code || '@' || indicator_set_version as indicator_key,
    *
from all_indicators
