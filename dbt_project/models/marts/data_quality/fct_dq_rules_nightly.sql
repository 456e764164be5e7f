-- Each rule's results summed per province × dataset × night × rule × column: the aggregate
-- behind bi.data_quality_rules. Grouping every rule result on each query took 127 of the
-- top-failing-rules query's 142 ms at national scale (96 k groups, sorted on disk at the default
-- work_mem; bench/results/national-2026-12-06.md); a dashboard of recent nights reads this table
-- through its key's index, which leads with delivery_night; a provincial reader's row-level
-- security through the second. Rebuilt in full each night, one read of fct_dq_rule_results.
{{ config(indexes=[
    {'columns': ['delivery_night', 'province_code', 'dataset', 'rule', 'column_name'], 'unique': true},
    {'columns': ['province_code', 'delivery_night']},
]) }}

with results as (
    select * from {{ ref('fct_dq_rule_results') }}
)

select
    province_code::text as province_code,
    dataset::text as dataset,
    delivery_night::date as delivery_night,
    rule::text as rule,
    coalesce(column_name, '')::text as column_name,
    min(severity)::text as severity,
    count(*)::integer as files_checked,
    (count(*) filter (where failed))::integer as files_failing,
    sum(failed_rows)::bigint as failed_rows,
    sum(rows_evaluated)::bigint as rows_evaluated
from results
group by province_code, dataset, delivery_night, rule, coalesce(column_name, '')
