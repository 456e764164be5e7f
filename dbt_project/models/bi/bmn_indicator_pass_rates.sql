-- The household survey's items (จปฐ. indicators) per province × survey year × indicator set ×
-- item: the item's หมวด (category), villages, households surveyed, passing and failing, and the
-- pass rate.
-- Summed at build time (marts.fct_bmn_province_items): a query reads a few thousand rows, not
-- the village summary (18 M rows nationally).
with counted as (
    select * from {{ ref('fct_bmn_province_items') }}
)

select
    counted.province_code::text as province_code,
    {{ province_name_columns() }}
    counted.survey_year_be::integer as survey_year_be,
    counted.indicator_set::text as indicator_set,
    counted.item_no::smallint as item_no,
    indicators.indicator_code::text as indicator_code,
    indicators.name_th::text as indicator_name_th,
    indicators.name_en::text as indicator_name_en,
    items.category_no::smallint as category_no,
    items.category_th::text as category_th,
    items.category_en::text as category_en,
    counted.villages::integer as villages,
    counted.households_surveyed::integer as households_surveyed,
    counted.households_passed::integer as households_passed,
    counted.households_failed::integer as households_failed,
    round(100.0 * counted.households_passed / nullif(counted.households_surveyed, 0), 2)::numeric(5, 2)
        as pass_rate_pct
from counted
{{ join_province_names('counted.province_code') }}
{{ join_indicator_names('counted.indicator_key') }}
left join {{ ref('bmn_tool_items') }} as items
    on items.indicator_set = counted.indicator_set and items.item_no = counted.item_no
