-- Budget disbursement per province × unit (a district office or the provincial office) × month:
-- projects, allocated, committed, disbursed and returned baht. The aggregate behind
-- bi.budget_disbursement, which grouped every project row of fct_budget_disbursement on each
-- dashboard query (2.1 s at national scale, bench/results). Rebuilt in full with its fact each
-- night: one read of fct_budget_disbursement and a sort of it for the distinct project count, about
-- 1.5 s for 1 M rows on two cores (ten copies of the bench's 10 % fact). About 11 k rows (unit ×
-- month) nationally.
-- Index: the national dashboard queries read every row (20 ms as bi_reader; no index helps them). A
-- provincial reader's row-level-security filter (province_code = any (...)) and a province's months
-- use it (EXPLAIN at bench scale 0.1: disbursement-rate 4.5 -> 4.0 ms).
{{ config(indexes=[{'columns': ['province_code', 'date_key']}]) }}

with disbursement as (
    select * from {{ ref('fct_budget_disbursement') }}
),

monthly as (
    select
        province_code,
        unit_code,
        min(amphoe_code) as amphoe_code,
        date_key,
        count(distinct project_code) as projects,
        sum(allocated_baht) as allocated_baht,
        sum(committed_baht) as committed_baht,
        sum(disbursed_baht) as disbursed_baht,
        sum(returned_baht) as returned_baht
    from disbursement
    group by province_code, unit_code, date_key
)

select
    province_code::text as province_code,
    unit_code::text as unit_code,
    amphoe_code::text as amphoe_code,
    date_key::date as date_key,
    projects::integer as projects,
    allocated_baht::numeric(18, 2) as allocated_baht,
    committed_baht::numeric(18, 2) as committed_baht,
    disbursed_baht::numeric(18, 2) as disbursed_baht,
    returned_baht::numeric(18, 2) as returned_baht
from monthly
