-- sqlfluff:exclude_rules:LT02,ST06,ST07,ST09,LT09,LT14,RF02,AL03
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- Column blocks and joins shared by the bi views, so that a province's names, a month's
    attributes or an indicator's labels are spelled out once. Each block keeps the columns,
    types and order the views had (their contracts check it). -#}

{#- The province's names (and region) from bi.provinces, joined by join_province_names(). -#}
{% macro province_name_columns(with_region=true, with_region_code=false) -%}
    provinces.province_name_th,
    provinces.province_name_en,
    {%- if with_region_code %}
    provinces.region_code,
    {%- endif %}
    {%- if with_region %}
    provinces.region_th,
    provinces.region_en,
    {%- endif %}
{%- endmacro %}

{% macro join_province_names(province_code) -%}
left join {{ ref('provinces') }} as provinces on provinces.province_code = {{ province_code }}
{%- endmacro %}

{#- The amphoe's names from bi.amphoes, joined by join_amphoe_names(). -#}
{% macro amphoe_name_columns() -%}
    amphoes.amphoe_name_th,
    amphoes.amphoe_name_en,
{%- endmacro %}

{% macro join_amphoe_names(amphoe_code) -%}
left join {{ ref('amphoes') }} as amphoes on amphoes.amphoe_code = {{ amphoe_code }}
{%- endmacro %}

{#- A month's attributes from dim_date (joined by join_dates()): its first day, the year
    (BE, and CE when asked), month number and names, fiscal year and quarter. -#}
{% macro month_columns(month_start, with_year_ce=false) -%}
    {{ month_start }}::date as month_start_date,
    {%- if with_year_ce %}
    dates.year_ce::integer as year_ce,
    {%- endif %}
    dates.year_be::integer as year_be,
    dates.month::smallint as month,
    dates.month_name_th::text as month_name_th,
    dates.month_name_en::text as month_name_en,
    dates.fiscal_year_be::integer as fiscal_year_be,
    dates.fiscal_quarter::smallint as fiscal_quarter,
    dates.fiscal_quarter_label::text as fiscal_quarter_label,
{%- endmacro %}

{% macro join_dates(date_key) -%}
left join {{ ref('dim_date') }} as dates on dates.date_key = {{ date_key }}
{%- endmacro %}

{#- A fiscal quarter of the scorecard: year, quarter, labels in English and Thai, first day,
    and whether it is the latest quarter (`latest` is a CTE with the latest quarter_start_date). -#}
{% macro fiscal_quarter_columns(alias) -%}
    {{ alias }}.fiscal_year_be::integer as fiscal_year_be,
    {{ alias }}.fiscal_quarter::smallint as fiscal_quarter,
    {{ alias }}.fiscal_quarter_label::text as fiscal_quarter_label,
    ('ไตรมาส ' || {{ alias }}.fiscal_quarter || '/' || {{ alias }}.fiscal_year_be)::text as fiscal_quarter_label_th,
    {{ alias }}.quarter_start_date::date as quarter_start_date,
    ({{ alias }}.quarter_start_date = (select quarter_start_date from latest)) as is_latest_quarter,
{%- endmacro %}

{#- The gear's names from dim_gear, joined by join_gear_names(). -#}
{% macro gear_columns(alias) -%}
    {{ alias }}.gear_code::smallint as gear_code,
    gears.name_th::text as gear_name_th,
    gears.name_en::text as gear_name_en,
{%- endmacro %}

{% macro join_gear_names(gear_code) -%}
left join {{ ref('dim_gear') }} as gears on gears.gear_code = {{ gear_code }}
{%- endmacro %}

{#- A scorecard indicator's gear, names, unit and direction, value, target and attainment
    (dim_indicator joined by join_indicator_names()). -#}
{% macro scorecard_indicator_columns(alias) -%}
    {{ gear_columns(alias) }}
    {{ alias }}.indicator_code::text as indicator_code,
    indicators.name_th::text as indicator_name_th,
    indicators.name_en::text as indicator_name_en,
    indicators.unit::text as unit,
    indicators.direction::text as direction,
    {{ alias }}.indicator_value::numeric as indicator_value,
    {{ alias }}.target::numeric as target,
    {{ alias }}.attainment::numeric as attainment,
    ({{ alias }}.attainment >= 1) as meets_target,
{%- endmacro %}

{% macro join_indicator_names(indicator_key) -%}
left join {{ ref('dim_indicator') }} as indicators on indicators.indicator_key = {{ indicator_key }}
{%- endmacro %}

{#- An activity's value-chain stage, sector and programme with their names, joined by
    join_activity_code_names() (bi.activities and its monthly and yearly sums). -#}
{% macro activity_code_columns(alias) -%}
    {{ alias }}.value_chain_stage_code::text as value_chain_stage_code,
    stages.name_th::text as value_chain_stage_th,
    stages.name_en::text as value_chain_stage_en,
    {{ alias }}.sector_code::text as sector_code,
    sectors.name_th::text as sector_th,
    sectors.name_en::text as sector_en,
    {{ alias }}.programme_code::text as programme_code,
    programmes.name_th::text as programme_th,
    programmes.name_en::text as programme_en,
{%- endmacro %}

{% macro join_activity_code_names(alias) -%}
left join {{ ref('dim_value_chain_stage') }} as stages on stages.value_chain_stage_code = {{ alias }}.value_chain_stage_code
left join {{ ref('dim_sector') }} as sectors on sectors.sector_code = {{ alias }}.sector_code
left join {{ ref('dim_programme') }} as programmes on programmes.programme_code = {{ alias }}.programme_code
{%- endmacro %}
