-- The household basic-needs survey (จปฐ.): one row per household × survey year, with the
-- income threshold of the household's indicator set (seed bmn_indicator_sets) and whether it
-- falls below it. Item flags stay as columns: a bridge row per item would be 38 × 12.8 M rows.
{{ config(unique_key='household_year_key') }}

with households as (
    select * from {{ ref('int_bmn_households_in_force') }}
    {{ only_new_revisions() }}
),

indicator_sets as (
    select * from {{ ref('bmn_indicator_sets') }}
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
    indicator_sets.income_threshold_baht::numeric(16, 2) as income_threshold_baht,
    households.income_per_person_baht < indicator_sets.income_threshold_baht as is_below_threshold,
    ((households.indicator_01 is not null)::int + (households.indicator_02 is not null)::int + (households.indicator_03 is not null)::int + (households.indicator_04 is not null)::int + (households.indicator_05 is not null)::int + (households.indicator_06 is not null)::int + (households.indicator_07 is not null)::int + (households.indicator_08 is not null)::int + (households.indicator_09 is not null)::int + (households.indicator_10 is not null)::int + (households.indicator_11 is not null)::int + (households.indicator_12 is not null)::int + (households.indicator_13 is not null)::int + (households.indicator_14 is not null)::int + (households.indicator_15 is not null)::int + (households.indicator_16 is not null)::int + (households.indicator_17 is not null)::int + (households.indicator_18 is not null)::int + (households.indicator_19 is not null)::int + (households.indicator_20 is not null)::int + (households.indicator_21 is not null)::int + (households.indicator_22 is not null)::int + (households.indicator_23 is not null)::int + (households.indicator_24 is not null)::int + (households.indicator_25 is not null)::int + (households.indicator_26 is not null)::int + (households.indicator_27 is not null)::int + (households.indicator_28 is not null)::int + (households.indicator_29 is not null)::int + (households.indicator_30 is not null)::int + (households.indicator_31 is not null)::int + (households.indicator_32 is not null)::int + (households.indicator_33 is not null)::int + (households.indicator_34 is not null)::int + (households.indicator_35 is not null)::int + (households.indicator_36 is not null)::int + (households.indicator_37 is not null)::int + (households.indicator_38 is not null)::int)::smallint as indicators_assessed,
    ((not coalesce(households.indicator_01, true))::int + (not coalesce(households.indicator_02, true))::int + (not coalesce(households.indicator_03, true))::int + (not coalesce(households.indicator_04, true))::int + (not coalesce(households.indicator_05, true))::int + (not coalesce(households.indicator_06, true))::int + (not coalesce(households.indicator_07, true))::int + (not coalesce(households.indicator_08, true))::int + (not coalesce(households.indicator_09, true))::int + (not coalesce(households.indicator_10, true))::int + (not coalesce(households.indicator_11, true))::int + (not coalesce(households.indicator_12, true))::int + (not coalesce(households.indicator_13, true))::int + (not coalesce(households.indicator_14, true))::int + (not coalesce(households.indicator_15, true))::int + (not coalesce(households.indicator_16, true))::int + (not coalesce(households.indicator_17, true))::int + (not coalesce(households.indicator_18, true))::int + (not coalesce(households.indicator_19, true))::int + (not coalesce(households.indicator_20, true))::int + (not coalesce(households.indicator_21, true))::int + (not coalesce(households.indicator_22, true))::int + (not coalesce(households.indicator_23, true))::int + (not coalesce(households.indicator_24, true))::int + (not coalesce(households.indicator_25, true))::int + (not coalesce(households.indicator_26, true))::int + (not coalesce(households.indicator_27, true))::int + (not coalesce(households.indicator_28, true))::int + (not coalesce(households.indicator_29, true))::int + (not coalesce(households.indicator_30, true))::int + (not coalesce(households.indicator_31, true))::int + (not coalesce(households.indicator_32, true))::int + (not coalesce(households.indicator_33, true))::int + (not coalesce(households.indicator_34, true))::int + (not coalesce(households.indicator_35, true))::int + (not coalesce(households.indicator_36, true))::int + (not coalesce(households.indicator_37, true))::int + (not coalesce(households.indicator_38, true))::int)::smallint as indicators_failed,
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
    households.source_row
from households
inner join indicator_sets using (indicator_set)
