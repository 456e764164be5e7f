-- sqlfluff:exclude_rules:LT02
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- The marts' post-hook after each build (dbt_project.yml): fresh planner statistics in the
    build's own transaction. Right after a build, dashboard queries ran 6-16x slower until
    autovacuum analysed the new tables (bench/results/bi-latency-2026-11-23.md). Views have no
    statistics of their own.

    A table built anew (a table model, a full refresh, an incremental model's first build) is
    always analysed. An incremental model's table is analysed when it never was, or when by
    autovacuum's own rule (50 rows + 10 % of the table, or the table's own
    autovacuum_analyze_threshold and _scale_factor) either
      - this build changed enough of it (its inserts, updates and deletes in this transaction), or
      - its row count has moved that far from the count its last ANALYZE saw (pg_class.reltuples),
        so that nights which each add a little (a new survey year arriving province by province)
        are analysed once they add up, with or without autovacuum (the test and CI servers run
        without it).
    Not by n_mod_since_analyze: it counts the changes of the transaction that ran the last
    ANALYZE as changes since (they are published at commit, after the ANALYZE), so the night after
    any analysed build would analyse again. Changes that replace rows without changing their count
    (a province resubmitting) add up only for autovacuum: they move the province, year and code
    distributions the dashboards are planned on hardly at all. The largest province's survey
    resubmission changes about 7 % of the household fact and of the survey aggregates; analysing
    them took 3.6 s of that night's 29 s of dbt at national scale (the household fact 1.0 s,
    fct_bmn_village_item_counts 1.9 s, fct_poverty_transitions 0.7 s).
    The loader's rule for raw (thanrak/load/statistics.py) takes a whole table's worth of changes
    instead: raw is read through the increments' literals, the marts by dashboards. -#}
{% macro analyze_after_build() %}
    {%- if config.get('materialized') == 'view' -%}
    select 1
    {%- elif is_incremental() -%}
    do $analyze$
    declare
        analysed boolean;
        changed double precision;
        drift double precision;
        threshold double precision;
    begin
        select
            stats.last_analyze is not null or stats.last_autoanalyze is not null,
            pg_stat_get_xact_tuples_inserted(class.oid)
                + pg_stat_get_xact_tuples_updated(class.oid)
                + pg_stat_get_xact_tuples_deleted(class.oid),
            -- rows now: the published live count plus this transaction's own changes
            abs(coalesce(stats.n_live_tup, 0) + pg_stat_get_xact_tuples_inserted(class.oid)
                - pg_stat_get_xact_tuples_deleted(class.oid) - class.reltuples),
            coalesce(own.threshold, current_setting('autovacuum_analyze_threshold')::double precision)
                + coalesce(own.scale_factor, current_setting('autovacuum_analyze_scale_factor')::double precision)
                * greatest(class.reltuples, 0)
        into analysed, changed, drift, threshold
        from pg_class as class
        left join pg_stat_user_tables as stats on stats.relid = class.oid
        cross join lateral (
            select
                max(option_value::double precision) filter (where option_name = 'autovacuum_analyze_threshold') as threshold,
                max(option_value::double precision) filter (where option_name = 'autovacuum_analyze_scale_factor') as scale_factor
            from pg_options_to_table(class.reloptions)
        ) as own
        where class.oid = '{{ this.include(database=false) }}'::regclass;
        if not coalesce(analysed, false) or changed > threshold or drift > threshold then
            analyze {{ this }};
        end if;
    end
    $analyze$
    {%- else -%}
    analyze {{ this }}
    {%- endif -%}
{% endmacro %}
