-- sqlfluff:exclude_rules:LT02
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- The project's `view` and `table` materializations on PostgreSQL (docs/warehouse.md, "What
    readers see during a build"). dbt's own build a model as `<name>__dbt_tmp`, rename the old
    relation to `<name>__dbt_backup`, rename the new one into place, commit, then
    `drop ... cascade` the backup: every view that reads the model (the bi views over the marts,
    the bi views over bi.provinces, the intermediate views among themselves) is dropped with it
    and comes back only when dbt reaches it later in the run, or not at all if the run does not
    select it. A BI tool querying in between gets "relation bi.x does not exist".

    Here a model that exists keeps its relation (its OID), and so its dependents, whenever its
    columns allow:

    - a view whose new query has the view's columns first (same names, types and collations, in
      order; new columns only at the end: PostgreSQL's own rule) is replaced with
      `create or replace view`, in the model's transaction;
    - a table (not --full-refresh) whose new columns equal the table's (names, types, collations,
      not null, in order; same constraints and persistence) gets its rows replaced in the
      model's transaction: the query's rows into a temporary table first, then `truncate`, its
      indexes dropped, `insert ... select` from the temporary table, its configured indexes
      built again (keep_dependents_replace_rows() says why). Readers of the table (and of the
      views over it) wait from the truncate to the commit, then see the new rows; a truncated
      table leaves no dead rows behind (this server runs without autovacuum).

    Otherwise (new model, other columns, a view that is now a table or the reverse,
    --full-refresh of a table) dbt's own materialization runs, drop cascade and all: the
    dependents are then downstream models of the same build (a project change makes a night's
    build a full one), rebuilt in the same run.

    The new query's columns are read from a probe made by dbt's own DDL macros (contract checks
    included) from the model's query, with no rows, in the model's transaction; it is dropped
    before anything else happens (the probe comes before the pre-hooks). Grants, comments
    (persist_docs) and hooks are applied as dbt's materializations apply them. -#}

{% materialization view, adapter='postgres' %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- if existing_relation is not none and existing_relation.is_view
        and keep_dependents_view_is_compatible(existing_relation, sql) -%}
        {{ return(keep_dependents_replace_view(existing_relation, sql)) }}
    {%- endif -%}
    {{ return(dbt.materialization_view_default()) }}
{% endmaterialization %}

{% materialization table, adapter='postgres' %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- if existing_relation is not none and existing_relation.is_table and not should_full_refresh() -%}
        {%- set plan = keep_dependents_table_plan(existing_relation, sql) -%}
        {%- if plan -%}
            {{ return(keep_dependents_replace_rows(existing_relation, plan, sql)) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(dbt.materialization_table_default()) }}
{% endmaterialization %}

{#- True when a view of `sql` can replace `existing` in place: PostgreSQL's own rule for
    `create or replace view` (the existing columns first, same name, type and collation). The
    probe and the comparison are one round trip, its drop another. -#}
{% macro keep_dependents_view_is_compatible(existing, sql) %}
    {%- set probe = make_intermediate_relation(existing, suffix='__dbt_probe') -%}
    {%- call statement('keep_dependents_probe', fetch_result=True) -%}
        {{ get_create_view_as_sql(probe, sql) }}
        with held as ({{ keep_dependents_columns(existing) }}),
            built as ({{ keep_dependents_columns(probe) }})
        select exists (select from held) and not exists (
            select position, description from held
            except select position, description from built
        )
    {%- endcall -%}
    {%- set compatible = load_result('keep_dependents_probe').table.columns[0].values()[0] -%}
    {%- call statement('keep_dependents_probe_dropped') -%}
        drop view {{ probe }}
    {%- endcall -%}
    {{ return(compatible) }}
{% endmacro %}

{#- How the rows of `existing` can be replaced in place, or none when a table of `sql` would not
    have its columns (name, type, collation, not null, in order), constraints and persistence, or
    when another table's foreign key refers to it (truncate would refuse it). The probe is made
    by dbt's own create_table_as, with no rows: contract columns and constraints when the
    contract is enforced, the query's columns otherwise. The plan: the table's column list and
    the statements dropping its indexes that no constraint owns (the ones dbt's `indexes` config
    makes). The probe and the comparison are one round trip, its drop another. -#}
{% macro keep_dependents_table_plan(existing, sql) %}
    {%- set probe = make_intermediate_relation(existing, suffix='__dbt_probe') -%}
    {#- `where false`: planned as an empty result, never run (under `limit 0` alone the plan is
        costed as the whole query and JIT-compiled: 1.8 s for fct_scorecard's). -#}
    {%- set no_rows = 'select * from (\n' ~ sql ~ '\n) as keep_dependents_probe where false limit 0' -%}
    {%- set held_oid = keep_dependents_oid(existing) -%}
    {%- call statement('keep_dependents_probe', fetch_result=True) -%}
        {{ get_create_table_as_sql(False, probe, no_rows) }}
        with held as ({{ keep_dependents_columns(existing, with_not_null=true) }}),
            built as ({{ keep_dependents_columns(probe, with_not_null=true) }})
        select
            (select count(*) from held) = (select count(*) from built)
            and not exists (
                select position, description from held
                except select position, description from built
            )
            and {{ keep_dependents_traits(existing) }} is not distinct from {{ keep_dependents_traits(probe) }}
            and not exists (select from pg_constraint where confrelid = {{ held_oid }} and conrelid <> confrelid)
            as compatible,
            (select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
             where attrelid = {{ held_oid }} and attnum > 0 and not attisdropped) as columns,
            (select string_agg('drop index ' || indexrelid::regclass::text, '; ') from pg_index
             where indrelid = {{ held_oid }}
               and not exists (select from pg_constraint where conindid = pg_index.indexrelid)) as drop_indexes
    {%- endcall -%}
    {%- set found = load_result('keep_dependents_probe').table.rows[0] -%}
    {%- call statement('keep_dependents_probe_dropped') -%}
        drop table {{ probe }}
    {%- endcall -%}
    {{ return({'columns': found[1], 'drop_indexes': found[2] or ''} if found[0] else none) }}
{% endmacro %}

{#- A relation's columns: their position (in order, dropped columns left out) and one text
    each: name, type, collation (and not null). -#}
{% macro keep_dependents_columns(relation, with_not_null=false) -%}
    select row_number() over (order by attnum) as position,
        quote_ident(attname) || ' ' || format_type(atttypid, atttypmod) || ' ' || attcollation::text
        {%- if with_not_null %} || case when attnotnull then ' not null' else '' end{% endif %} as description
    from pg_attribute where attrelid = {{ keep_dependents_oid(relation) }} and attnum > 0 and not attisdropped
{%- endmacro %}

{#- A table's persistence (logged or unlogged) and its constraints' definitions, as one text. -#}
{% macro keep_dependents_traits(relation) -%}
    (select relpersistence::text || coalesce((
        select string_agg(contype::text || ' ' || pg_get_constraintdef(oid), '; ' order by 1)
        from pg_constraint where conrelid = {{ keep_dependents_oid(relation) }}), '')
     from pg_class where oid = {{ keep_dependents_oid(relation) }})
{%- endmacro %}

{% macro keep_dependents_oid(relation) -%}
    '{{ relation.include(database=false) }}'::regclass
{%- endmacro %}

{#- `create or replace view`: the view keeps its OID, its dependents, grants and comments (the
    contract was checked when the probe was made). PostgreSQL resets the view's options (security_invoker) to the statement's, none: the bi
    views' post-hook sets it again before the commit, so no reader sees the view without it. -#}
{% macro keep_dependents_replace_view(existing, sql) %}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set sql_header = config.get('sql_header', none) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') -%}
        {{ sql_header if sql_header is not none }}
        create or replace view {{ target_relation }} as (
            {{ sql }}
        );
    {%- endcall %}

    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing, full_refresh_mode=False)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{#- The table's rows replaced in one transaction; the table keeps its OID, dependents, grants,
    comments and row-level security. Chosen by measurement on the national bench's 10 % warehouse
    (docs/warehouse.md): the rows are made by `create temporary table ... as`, which PostgreSQL
    runs with parallel workers (an `insert ... select` never is: int_scorecard_otop_measures
    took 0.75 s against 0.36 s), and only then is the table truncated, so readers wait for the
    copy, not for the model's query (longest wait 0.4 s against 2.1 s with fct_scorecard's
    query under the lock). The indexes are dropped and built from the rows after the insert, as
    dbt builds them after `create table as`: a sort per index rather than a random insert per
    row, and the table ends with the indexes its config names (an index changed in the config
    needs no --full-refresh). -#}
{% macro keep_dependents_replace_rows(existing, plan, sql) %}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set staged_relation = make_temp_relation(target_relation) -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set sql_header = config.get('sql_header', none) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('keep_dependents_staged') -%}
        {{ sql_header if sql_header is not none }}
        create temporary table {{ staged_relation }} on commit drop as (
            {{ sql }}
        )
    {%- endcall %}

    {% call statement('main') -%}
        truncate table {{ target_relation }};
        {{ plan['drop_indexes'] ~ ';' if plan['drop_indexes'] }}
        insert into {{ target_relation }} ({{ plan['columns'] }})
        select {{ plan['columns'] }} from {{ staged_relation }}
    {%- endcall %}

    {% do create_indexes(target_relation) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing, full_refresh_mode=False)) %}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmacro %}
