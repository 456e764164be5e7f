-- sqlfluff:exclude_rules:LT02
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- Marts rebuilt one province at a time: the household survey's aggregates (a national year is
    12.8 M households; one province resubmitting its file must not recompute the other 75).

    Every row carries `source_version`: the newest submission in force behind its province's rows
    of `dataset` (max submission_id of int_submissions_in_force). Submission ids only grow and a
    file enters the set in force only as a new submission, so any change to a province's files in
    force changes that number. On an incremental run:
      - the pre-hook delete_outdated_provinces() deletes the rows of every province whose
        source_version is not current any more (a province never leaves the files in force:
        the manifest only grows);
      - the model selects with only_outdated_provinces(): the provinces without current rows (the
        ones just deleted, and provinces new to the table), stamped by province_versions().
    The result equals a full refresh (tests/test_incremental_night.py). Both run in the model's
    transaction.
    rebuilt_by_province() configures a model so; its index on (province_code, source_version)
    makes the checks 76 probes. -#}

{% macro rebuilt_by_province(dataset) %}
    -- depends_on: {{ ref('int_submissions_in_force') }} (read by the increments' checks)
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['province_code', 'source_version']}],
        pre_hook="{{ delete_outdated_provinces('" ~ dataset ~ "') }}",
    ) }}
{% endmacro %}

{% macro province_versions(dataset) %}
    select province_code, max(submission_id)::bigint as source_version
    from {{ ref('int_submissions_in_force') }}
    where dataset = '{{ dataset }}'
    group by province_code
{% endmacro %}

{%- macro _outdated_provinces(dataset) -%}
    select versions.province_code
    from ({{ province_versions(dataset) }}) as versions
    where not exists (
        select from {{ this }} as built
        where built.province_code = versions.province_code and built.source_version = versions.source_version
    )
{%- endmacro -%}

{% macro delete_outdated_provinces(dataset) %}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where province_code in (
        select versions.province_code
        from ({{ province_versions(dataset) }}) as versions
        where exists (
            select from {{ this }} as built
            where built.province_code = versions.province_code and built.source_version <> versions.source_version
        )
    )
    {%- else -%}
    select 1
    {%- endif -%}
{% endmacro %}

{#- A filter on the model's source rows, by their province_code. The provinces are looked up
    when the model is compiled, right before it runs, and written in as literals: the planner then
    reads one province's rows through the source's province index (0.2 s) instead of scanning a
    national year for a subquery it expects to match every province (3.3 s). The lookup may come
    before the pre-hook's delete: it finds the same provinces, the ones without rows of their
    current version. -#}
{% macro only_outdated_provinces(dataset) %}
    {%- if is_incremental() and execute %}
    {%- set literals = [] %}
    {%- for code in run_query(_outdated_provinces(dataset)).columns[0].values() %}
        {%- do literals.append("'" ~ (code | replace("'", "''")) ~ "'") %}
    {%- endfor %}
    where province_code in ({{ literals | join(', ') if literals else 'null' }})
    {%- elif is_incremental() %}
    where province_code in ({{ _outdated_provinces(dataset) }})
    {%- endif %}
{% endmacro %}
