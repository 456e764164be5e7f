-- The household survey (จปฐ.) per amphoe × survey year × indicator set: households, those below
-- their survey year's income threshold, people, and the income sum behind the mean. One read of
-- the household fact at build time serves bi.households_below_threshold, which otherwise read
-- every household row on each query (10 s at national scale, bench/results). The amphoe is taken
-- from the tambon code (a DOPA tambon code begins with its amphoe's code). Rebuilt one province
-- at a time (macros/province_increments.sql).
{{ rebuilt_by_province('bmn_households') }}

with households as (
    select * from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

counted as (
    select
        province_code,
        left(area_key, 4) as amphoe_code,
        survey_year_be,
        indicator_set,
        min(income_threshold_baht) as income_threshold_baht,
        count(*) as households,
        count(*) filter (where is_below_threshold) as households_below_threshold,
        coalesce(sum(members), 0) as people,
        coalesce(sum(members) filter (where is_below_threshold), 0) as people_below_threshold,
        count(income_per_person_baht) as households_with_income,
        sum(income_per_person_baht) as income_per_person_sum_baht
    from households
    group by province_code, left(area_key, 4), survey_year_be, indicator_set
)

select
    counted.province_code::text as province_code,
    counted.amphoe_code::text as amphoe_code,
    counted.survey_year_be::integer as survey_year_be,
    counted.indicator_set::text as indicator_set,
    counted.income_threshold_baht::numeric(16, 2) as income_threshold_baht,
    counted.households::integer as households,
    counted.households_below_threshold::integer as households_below_threshold,
    counted.people::integer as people,
    counted.people_below_threshold::integer as people_below_threshold,
    counted.households_with_income::integer as households_with_income,
    counted.income_per_person_sum_baht::numeric(20, 2) as income_per_person_sum_baht,
    versions.source_version
from counted
inner join versions on versions.province_code = counted.province_code
