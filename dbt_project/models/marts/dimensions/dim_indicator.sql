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

-- The latest fiscal year's target for the year's end: the annual one, or the Q4 one of a
-- quarterly target.
latest_national_targets as (
    select distinct on (indicator_code) indicator_code, fiscal_year_be, target
    from targets
    order by indicator_code asc, fiscal_year_be desc, fiscal_quarter desc nulls first
),

bmn_tools as (
    select * from {{ ref('bmn_tools') }}
),

bmn_tool_items as (
    select * from {{ ref('bmn_tool_items') }}
),

-- The income threshold of a tool's survey years: one figure when they share it (else none: the
-- figure of each year is in seed bmn_income_thresholds), verified only if every year's is.
bmn_tool_thresholds as (
    select
        bmn_tools.indicator_set,
        case when min(thresholds.income_threshold_baht) = max(thresholds.income_threshold_baht)
                then min(thresholds.income_threshold_baht)
        end as income_threshold_baht,
        bool_and(thresholds.threshold_verified) as threshold_verified
    from bmn_tools
    inner join {{ ref('bmn_income_thresholds') }} as thresholds
        on thresholds.survey_year_be between bmn_tools.first_survey_year_be and bmn_tools.last_survey_year_be
    group by bmn_tools.indicator_set
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
        'BMN-' || lpad(items.item_no::text, 2, '0') as indicator_code,
        items.indicator_set as indicator_set_version,
        'bmn_survey' as indicator_family,
        null::smallint as gear_code,
        items.name_th,
        'BMN indicator ' || items.item_no || ' (' || items.category_en || ')' as name_en,
        'households passing' as unit,
        'higher_is_better' as direction,
        'Item ' || items.item_no || ' of the ' || items.indicator_set || ' survey tool, หมวด ' || items.category_no
        || ' ' || items.category_th || ' / ' || items.category_en
        || case when items.name_verified then '' else '; name not verified against the CDD questionnaire' end
            as definition_en,
        null::numeric as threshold,
        null::boolean as threshold_verified,
        null::numeric as latest_target,
        null::integer as latest_target_fiscal_year_be
    from bmn_tool_items as items
),

bmn_income as (
    select
        'BMN-INCOME' as indicator_code,
        bmn_tools.indicator_set as indicator_set_version,
        'bmn_survey' as indicator_family,
        null::smallint as gear_code,
        'รายได้เฉลี่ยต่อคนต่อปีไม่ต่ำกว่าเกณฑ์' as name_th,
        'Income per person per year at or above the threshold' as name_en,
        'baht/person/year' as unit,
        'higher_is_better' as direction,
        'Threshold of each survey year ' || bmn_tools.first_survey_year_be || '-' || bmn_tools.last_survey_year_be
        || ' in seed bmn_income_thresholds' as definition_en,
        bmn_tool_thresholds.income_threshold_baht::numeric as threshold,
        bmn_tool_thresholds.threshold_verified,
        null::numeric as latest_target,
        null::integer as latest_target_fiscal_year_be
    from bmn_tools
    inner join bmn_tool_thresholds using (indicator_set)
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
