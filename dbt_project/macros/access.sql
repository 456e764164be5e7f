-- sqlfluff:exclude_rules:LT02,ST06,ST07,ST09,LT09,LT14,RF02,AL03
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#-
  Row-level security for a mart, run as its post-hook (dbt_project.yml), in the transaction that
  builds it and grants SELECT on it (see docs/access.md):

  - a table with a province_code column: RLS enabled; bi_reader sees every row; members of
    thanrak_province_reader see the rows of their provinces (access.reader_provinces(), evaluated
    once per query as an InitPlan through `array(select ...)`). Policies are dropped and made
    again, so incremental models (whose table and policies survive the run) work too;
  - a view: made security_invoker, so the reader's own rights (and RLS) apply through it;
  - a materialized view with province_code: an error (RLS cannot filter one);
  - anything else (national tables without province_code): left unfiltered.

  The owner (dbt's user) is not subject to RLS. Rendered at parse time too, where nothing is
  looked up.
-#}
{% macro thanrak_row_security() %}
  {%- if not execute -%}
    select 1
  {%- else -%}
    {%- set found = run_query(
        "select c.relkind::text, format_type(a.atttypid, a.atttypmod)"
        ~ " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        ~ " left join pg_attribute a on a.attrelid = c.oid and a.attname = 'province_code'"
        ~ " and a.attnum > 0 and not a.attisdropped"
        ~ " where n.nspname = '" ~ this.schema ~ "' and c.relname = '" ~ this.identifier ~ "'"
    ) -%}
    {%- set kind = found.rows[0][0] if found.rows else none -%}
    {%- set province_type = found.rows[0][1] if found.rows else none -%}
    {%- if kind == 'v' -%}
      alter view {{ this }} set (security_invoker = true)
    {%- elif kind == 'm' and province_type -%}
      {{ exceptions.raise_compiler_error(
          this ~ " is a materialized view with province_code: row-level security cannot filter it;"
          ~ " materialize it as a table") }}
    {%- elif kind in ('r', 'p') and province_type -%}
      alter table {{ this }} enable row level security;
      drop policy if exists thanrak_bi_reader on {{ this }};
      create policy thanrak_bi_reader on {{ this }} for select to bi_reader using (true);
      drop policy if exists thanrak_province_reader on {{ this }};
      create policy thanrak_province_reader on {{ this }} for select to thanrak_province_reader
        using (province_code = any (array(
          select code::{{ province_type }} from access.reader_provinces() as code
        )))
    {%- else -%}
      select 1
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
