-- The household survey counted per village × survey year × indicator set in one pass over the
-- households: for each of the 38 items, households assessed and households passing. Items a
-- household's indicator set does not have (32-38 in the 2560-64 tool) are not counted.
-- Kept wide on purpose: one row per village and year (about 0.3 M rows nationally) instead of
-- one per item (18 M rows, which took most of a national build and its tests);
-- fct_bmn_village_summary unpivots it. Rebuilt one province at a time
-- (macros/province_increments.sql).
{{ rebuilt_by_province('bmn_households', key=['village_key', 'survey_year_be', 'indicator_set']) }}

-- The 38 items are Jinja loops, whose indentation sqlfluff cannot judge: layout not linted.
-- noqa: disable=LT02
with households as (
    select * from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

per_village as (
    select
        village_key,
        province_code,
        survey_year_be,
        indicator_set,
        count(*) as households,
        {%- for item in range(1, 39) %}
        count(indicator_{{ '%02d' % item }}) as assessed_{{ '%02d' % item }},
        count(*) filter (where indicator_{{ '%02d' % item }}) as passed_{{ '%02d' % item }}{{ ',' if not loop.last }}
        {%- endfor %}
    from households
    group by village_key, province_code, survey_year_be, indicator_set
)

select
    per_village.village_key,
    per_village.province_code,
    per_village.survey_year_be,
    per_village.indicator_set,
    per_village.households::integer as households,
    {%- for item in range(1, 39) %}
    per_village.assessed_{{ '%02d' % item }}::integer as assessed_{{ '%02d' % item }},
    per_village.passed_{{ '%02d' % item }}::integer as passed_{{ '%02d' % item }},
    {%- endfor %}
    versions.source_version
from per_village
inner join versions on versions.province_code = per_village.province_code
