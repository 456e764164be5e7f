-- The household survey's items (จปฐ. indicators) per province × survey year × indicator set ×
-- item: villages, households surveyed, passing and failing. Summed from the village counts at
-- build time for bi.bmn_indicator_pass_rates, which otherwise read 18 M village × item rows
-- (11 s nationally) on each query. Rebuilt one province at a time
-- (macros/province_increments.sql).
{{ rebuilt_by_province('bmn_households') }}

-- The 38 items are Jinja loops, whose indentation sqlfluff cannot judge: layout not linted.
-- noqa: disable=LT02
with counts as (
    select * from {{ ref('fct_bmn_village_item_counts') }}
    {{ only_outdated_provinces('bmn_households') }}
),

per_province as (
    select
        province_code,
        survey_year_be,
        indicator_set,
        {%- for item in range(1, 39) %}
        count(*) filter (where assessed_{{ '%02d' % item }} > 0) as villages_{{ '%02d' % item }},
        sum(assessed_{{ '%02d' % item }}) as assessed_{{ '%02d' % item }},
        sum(passed_{{ '%02d' % item }}) as passed_{{ '%02d' % item }},
        {%- endfor %}
        -- the province's rows carry one version, the one of this run
        max(source_version) as source_version
    from counts
    group by province_code, survey_year_be, indicator_set
)

select
    per_province.province_code,
    per_province.survey_year_be,
    per_province.indicator_set,
    item.item_no::smallint as item_no,
    'BMN-' || lpad(item.item_no::text, 2, '0') || '@' || per_province.indicator_set as indicator_key,
    item.villages::integer as villages,
    item.assessed::integer as households_surveyed,
    item.passed::integer as households_passed,
    (item.assessed - item.passed)::integer as households_failed,
    per_province.source_version
from per_province
cross join lateral (
    values
    {%- for item in range(1, 39) %}
    ({{ item }}, villages_{{ '%02d' % item }}, assessed_{{ '%02d' % item }}, passed_{{ '%02d' % item }}){{ ',' if not loop.last }}
    {%- endfor %}
) as item (item_no, villages, assessed, passed)
where item.assessed > 0
