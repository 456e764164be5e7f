-- Projects and community enterprises the Pracharath bodies support: one row per province ×
-- project, with the attributes of its latest report (name, body, enterprise registration,
-- tambon, sector, value-chain stage, status) and its first and latest report months.
with reports as (
    select * from {{ ref('int_pracharath_projects_in_force') }}
),

months as (
    select
        province_code,
        project_id,
        min(report_month) as first_report_month,
        count(*) as months_reported
    from reports
    group by province_code, project_id
),

latest as (
    select distinct on (province_code, project_id)
        province_code,
        project_id,
        project_name,
        body_code,
        enterprise_id,
        tambon_code,
        sector_code,
        value_chain_stage_code,
        status_code,
        report_month
    from reports
    order by province_code asc, project_id asc, report_month desc, submission_id desc, source_row asc
)

select
    md5(latest.province_code || '|' || latest.project_id) as project_key,
    latest.project_id,
    latest.province_code,
    latest.project_name,
    latest.body_code,
    latest.enterprise_id,
    (latest.enterprise_id is not null) as is_community_enterprise,
    latest.tambon_code as area_key,
    latest.sector_code,
    latest.value_chain_stage_code,
    months.first_report_month,
    latest.report_month as latest_report_month,
    months.months_reported::integer as months_reported,
    latest.status_code as latest_status_code
from latest
inner join months
    on months.province_code = latest.province_code
    and months.project_id = latest.project_id
