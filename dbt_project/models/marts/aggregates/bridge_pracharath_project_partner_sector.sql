-- One row per Pracharath project report (project × month) × partner sector working on it, so a
-- BI tool can count projects by partner sector without splitting text. Per report month, since a
-- project's partners may change from one month to the next.
with reports as (
    select project_report_key, province_code, partner_sector_codes from {{ ref('fct_pracharath_projects') }}
)

select
    reports.project_report_key,
    reports.province_code,
    partner.partner_sector_code
from reports
cross join lateral unnest(string_to_array(reports.partner_sector_codes, ',')) as partner (partner_sector_code)
