-- The household basic-needs survey (จปฐ.): one row per household × survey year, with the
-- income threshold of its survey year (seed bmn_income_thresholds) and whether it falls
-- below it. Its tool is its survey year's and it answers exactly that tool's items:
-- validation quarantines any other row (contract rules tool_of_survey_year, items_of_tool).
-- Item flags stay as columns: a bridge row per item would be 38 × 12.8 M rows.

-- The key's index leads with province_code: a province resubmitting its survey file appends its
-- households into its own stretch of the index, not into every page of an md5 index of a national
-- year (one province's 510 k households: 4.2 s against 9.2 s, WAL 0.3 GB against 1.1 GB). It also
-- serves the aggregates rebuilt one province at a time (macros/province_increments.sql). The key
-- is unique within a province: a DOPA house id begins with its province's code, so a household
-- belongs to one province (fct_poverty_transitions pairs surveys within a province likewise).
{% set dataset = 'bmn_households' %}
{% set key = ['province_code', 'household_year_key'] %}
{{ config(indexes=fact_indexes(key), meta={'dataset': dataset}) }}

with households as (
    select * from {{ ref('int_bmn_households_in_force') }}
    {{ only_new_revisions(dataset) }}
),

thresholds as (
    select * from {{ ref('bmn_income_thresholds') }}
)

select
    md5(households.household_hash || '|' || households.survey_year_be) as household_year_key,
    households.household_hash as household_key,
    households.province_code,
    households.period,
    households.village_code as village_key,
    households.tambon_code as area_key,
    households.survey_year_be,
    households.indicator_set,
    households.members,
    households.income_per_person_baht,
    households.household_income_baht,
    households.savings_baht,
    thresholds.income_threshold_baht::numeric(16, 2) as income_threshold_baht,
    households.income_per_person_baht < thresholds.income_threshold_baht as is_below_threshold,
    -- Of the 38 item flags, how many were assessed (the tool's items; the others are empty) and
    -- how many failed.
    -- noqa: disable=LT02
    (
        {%- for item in range(1, 39) %}
        {{ '+ ' if not loop.first }}(households.indicator_{{ '%02d' % item }} is not null)::int
        {%- endfor %}
    )::smallint as indicators_assessed,
    (
        {%- for item in range(1, 39) %}
        {{ '+ ' if not loop.first }}(not coalesce(households.indicator_{{ '%02d' % item }}, true))::int
        {%- endfor %}
    )::smallint as indicators_failed,
    -- noqa: enable=LT02
    households.indicator_01,
    households.indicator_02,
    households.indicator_03,
    households.indicator_04,
    households.indicator_05,
    households.indicator_06,
    households.indicator_07,
    households.indicator_08,
    households.indicator_09,
    households.indicator_10,
    households.indicator_11,
    households.indicator_12,
    households.indicator_13,
    households.indicator_14,
    households.indicator_15,
    households.indicator_16,
    households.indicator_17,
    households.indicator_18,
    households.indicator_19,
    households.indicator_20,
    households.indicator_21,
    households.indicator_22,
    households.indicator_23,
    households.indicator_24,
    households.indicator_25,
    households.indicator_26,
    households.indicator_27,
    households.indicator_28,
    households.indicator_29,
    households.indicator_30,
    households.indicator_31,
    households.indicator_32,
    households.indicator_33,
    households.indicator_34,
    households.indicator_35,
    households.indicator_36,
    households.indicator_37,
    households.indicator_38,
    households.submission_id,
    households.revision,
    households.source_row,
    {{ built_at() }}
from households
left join thresholds using (survey_year_be)
{{ in_key_order(key | join(', '), dataset) }}
