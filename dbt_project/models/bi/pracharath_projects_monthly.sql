-- Projects and community enterprises the Pracharath bodies support, one row per project ×
-- report month (its standing as of the month), with every code named in Thai and English: where
-- (tambon, amphoe, province), the project (id, latest name, enterprise registration), the body,
-- the month, status, sector, value-chain stage and partner sectors; support to date, members and
-- the month's revenue.
with reports as (
    select * from {{ ref('fct_pracharath_projects') }}
),

projects as (
    select * from {{ ref('dim_pracharath_project') }}
),

areas as (
    select * from {{ ref('dim_area') }}
),

bodies as (
    select * from {{ ref('dim_pracharath_body') }}
),

statuses as (
    select * from {{ ref('dim_project_status') }}
),

sectors as (
    select * from {{ ref('dim_sector') }}
),

stages as (
    select * from {{ ref('dim_value_chain_stage') }}
),

partners as (
    select * from {{ ref('dim_partner_sector') }}
)

select
    reports.project_report_key::text as project_report_key,
    reports.province_code::text as province_code,
    {{ province_name_columns() }}
    areas.amphoe_code::text as amphoe_code,
    areas.amphoe_name_th::text as amphoe_name_th,
    areas.amphoe_name_en::text as amphoe_name_en,
    reports.area_key::text as tambon_code,
    areas.tambon_name_th::text as tambon_name_th,
    areas.tambon_name_en::text as tambon_name_en,
    projects.project_id::text as project_id,
    projects.project_name::text as project_name,
    projects.enterprise_id::text as enterprise_id,
    projects.is_community_enterprise::boolean as is_community_enterprise,
    reports.body_code::text as body_code,
    bodies.name_th::text as body_th,
    bodies.name_en::text as body_en,
    {{ month_columns('reports.date_key') }}
    reports.status_code::text as status_code,
    statuses.name_th::text as status_th,
    statuses.name_en::text as status_en,
    reports.sector_code::text as sector_code,
    sectors.name_th::text as sector_th,
    sectors.name_en::text as sector_en,
    reports.value_chain_stage_code::text as value_chain_stage_code,
    stages.name_th::text as value_chain_stage_th,
    stages.name_en::text as value_chain_stage_en,
    reports.partner_sector_codes::text as partner_sector_codes,
    (
        select string_agg(partners.name_th, ', ' order by partners.sort_order)
        from partners where partners.partner_sector_code = any(string_to_array(reports.partner_sector_codes, ','))
    )::text as partner_sectors_th,
    (
        select string_agg(partners.name_en, ', ' order by partners.sort_order)
        from partners where partners.partner_sector_code = any(string_to_array(reports.partner_sector_codes, ','))
    )::text as partner_sectors_en,
    reports.support_baht::numeric(16, 2) as support_baht,
    reports.members::integer as members,
    reports.revenue_baht::numeric(16, 2) as revenue_baht
from reports
{{ join_province_names('reports.province_code') }}
left join areas on areas.area_key = reports.area_key
left join projects on projects.project_key = reports.project_key
left join bodies on bodies.body_code = reports.body_code
left join statuses on statuses.status_code = reports.status_code
left join sectors on sectors.sector_code = reports.sector_code
left join stages on stages.value_chain_stage_code = reports.value_chain_stage_code
{{ join_dates('reports.date_key') }}
