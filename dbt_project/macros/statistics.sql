-- sqlfluff:exclude_rules:LT02
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- The marts' post-hook after each build (dbt_project.yml): fresh planner statistics in the
    build's own transaction. Right after a build, dashboard queries ran 6-16x slower until
    autovacuum analysed the new tables (bench/results/bi-latency-2026-11-23.md). Views have no
    statistics of their own. -#}
{% macro analyze_after_build() %}
    {%- if config.get('materialized') == 'view' -%}
    select 1
    {%- else -%}
    analyze {{ this }}
    {%- endif -%}
{% endmacro %}
