-- Budget: one row per project × unit (district or provincial office) × month of the files in force.

{% set dataset = 'budget_disbursement' %}
{{ config(indexes=fact_indexes('disbursement_key'), meta={'dataset': dataset}) }}

with disbursement as (
    select * from {{ ref('int_budget_disbursement_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || project_code || '|' || unit_code || '|' || budget_month) as disbursement_key,
    province_code,
    period,
    amphoe_code,
    unit_code,
    project_code,
    project_name,
    budget_month as date_key,
    allocated_baht,
    committed_baht,
    disbursed_baht,
    returned_baht,
    round(100 * disbursed_baht / nullif(allocated_baht, 0), 2) as disbursed_pct,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from disbursement
