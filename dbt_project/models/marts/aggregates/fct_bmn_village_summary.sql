-- One row per village × survey year × BMN item: households surveyed, passing and failing. A view
-- that unpivots fct_bmn_village_item_counts (the counting is done there, once, one province at a
-- time): as a table it was 18 M rows at national scale, most of a build and its tests. Read it
-- for some villages or provinces; the item results of whole provinces are in
-- fct_bmn_province_items.
{{ config(materialized='view') }}

-- The 38 items are Jinja loops, whose indentation sqlfluff cannot judge: layout not linted.
-- noqa: disable=LT02
with counts as (
    select * from {{ ref('fct_bmn_village_item_counts') }}
)

select
    md5(counts.village_key || '|' || counts.survey_year_be || '|' || counts.indicator_set || '|' || item.item_no)
        as village_item_key,
    counts.village_key,
    counts.province_code,
    counts.survey_year_be,
    counts.indicator_set,
    'BMN-' || lpad(item.item_no::text, 2, '0') || '@' || counts.indicator_set as indicator_key,
    item.item_no::smallint as item_no,
    item.assessed as households_surveyed,
    item.passed as households_passed,
    item.assessed - item.passed as households_failed,
    counts.source_version
from counts
cross join lateral (
    values
    {%- for item in range(1, 39) %}
    ({{ item }}, counts.assessed_{{ '%02d' % item }}, counts.passed_{{ '%02d' % item }}){{ ',' if not loop.last }}
    {%- endfor %}
) as item (item_no, assessed, passed)
where item.assessed > 0
