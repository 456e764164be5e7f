-- The household survey's items (จปฐ. indicators) per province × survey year × indicator set ×
-- item: villages, households surveyed, passing and failing. Summed from the village summary at
-- build time for bi.bmn_indicator_pass_rates, which otherwise read the whole village summary
-- (18 M rows nationally, 11 s) on each query. Rebuilt one province at a time
-- (macros/province_increments.sql).
{{ rebuilt_by_province('bmn_households') }}

with summary as (
    select * from {{ ref('fct_bmn_village_summary') }}
    {{ only_outdated_provinces('bmn_households') }}
)

select
    province_code,
    survey_year_be,
    indicator_set,
    item_no,
    min(indicator_key) as indicator_key,
    count(*)::integer as villages,
    sum(households_surveyed)::integer as households_surveyed,
    sum(households_passed)::integer as households_passed,
    sum(households_failed)::integer as households_failed,
    -- the village summary's rows of a province carry one version, the one of this run
    max(source_version) as source_version
from summary
group by province_code, survey_year_be, indicator_set, item_no
