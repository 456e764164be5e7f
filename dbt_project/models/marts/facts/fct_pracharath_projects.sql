-- Projects and community enterprises the Pracharath bodies support: one row per province ×
-- project × report month of the files in force (the project's standing as of the month: status,
-- support to date, members, and the month's revenue).

{% set dataset = 'pracharath_projects' %}
{{ config(indexes=fact_indexes('project_report_key'), meta={'dataset': dataset}) }}

with reports as (
    select * from {{ ref('int_pracharath_projects_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || project_id || '|' || report_month) as project_report_key,
    province_code,
    period,
    md5(province_code || '|' || project_id) as project_key,
    body_code,
    tambon_code as area_key,
    report_month as date_key,
    status_code,
    sector_code,
    value_chain_stage_code,
    -- Comma-separated for BI tools that cannot read arrays; bridge_pracharath_project_partner_sector has one row each.
    array_to_string(partner_sector_codes, ',') as partner_sector_codes,
    support_baht,
    members,
    revenue_baht,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from reports
