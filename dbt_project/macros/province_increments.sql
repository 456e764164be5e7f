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
    makes the checks 76 probes. Given the model's `key` (its columns), a unique index on
    (province_code, key) keeps the grain on every insert instead of a test that reads the whole
    table each night: at national scale the transitions' unique test took 0.59 s and the village
    counts' 0.52 s on a night with one province, whose rows the index checks in 0.2 and 0.07 s
    more than an insert without it. The key is unique within a province: a household and a
    village belong to one province. The key's columns are kept not null by the contract. -#}

{% macro rebuilt_by_province(dataset, key=none) %}
    -- depends_on: {{ ref('int_submissions_in_force') }} (read by the increments' checks)
    {%- set indexes = [{'columns': ['province_code', 'source_version']}] -%}
    {%- if key -%}
        {%- do indexes.append({'columns': ['province_code'] + key, 'unique': true}) -%}
    {%- endif %}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=indexes,
        pre_hook=[
            "{{ delete_outdated_provinces('" ~ dataset ~ "') }}",
            "{{ plan_for_few_provinces('" ~ dataset ~ "') }}",
        ],
        post_hook=["{{ create_missing_indexes() }}", "{{ drop_unconfigured_indexes() }}"],
    ) }}
{% endmacro %}

{#- The models' second pre-hook: when at most a quarter of the provinces are outdated (a night
    with one province's survey file), the rest of the model's transaction is planned for a few
    provinces' rows (SET LOCAL ends with the transaction):
      - sequential scans off, so that their rows are read through the household fact's key index.
        They lie together (a file's rows are appended together: one province's 560 k rows of the
        fact are on about 20 k of its 536 k pages), but a bitmap scan is costed as if they were
        spread at random, and the planner chose a parallel scan of the whole national year for
        each aggregate;
      - no JIT compilation: compiling the 76 counts of fct_bmn_village_item_counts took 1.0 s of
        its 2.5 s for one province (1.3 s without), while over a national year (22 s) it pays.
    More outdated provinces (the survey night: all 76) are planned as usual. -#}
{% macro plan_for_few_provinces(dataset) %}
    {%- set few = false -%}
    {%- if is_incremental() and execute -%}
        {%- set counts = run_query(
            "select count(*) filter (where not exists (select from " ~ this ~ " as built"
            ~ " where built.province_code = versions.province_code"
            ~ " and built.source_version = versions.source_version)), count(*)"
            ~ " from (" ~ province_versions(dataset) ~ ") as versions"
        ).rows[0] -%}
        {%- set few = counts[0] > 0 and counts[0] * 4 <= counts[1] -%}
    {%- endif -%}
    {{ 'set local enable_seqscan = off; set local jit = off' if few else 'select 1' }}
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
