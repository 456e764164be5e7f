-- SMART TAMBON levels: one row per target tambon × dimension × report month of the files in
-- force, the tambon's standing on the dimension as the province reported it that month.

{% set dataset = 'smart_tambon' %}
{{ config(indexes=fact_indexes('smart_tambon_level_key'), meta={'dataset': dataset}) }}

with reports as (
    select * from {{ ref('int_smart_tambon_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || tambon_code || '|' || dimension_code || '|' || report_month) as smart_tambon_level_key,
    province_code,
    period,
    tambon_code as area_key,
    dimension_code,
    report_month as date_key,
    level,
    sti_projects,
    households_involved,
    -- Comma-separated for BI tools that cannot read arrays; bridge_smart_tambon_partner_sector has one row each.
    array_to_string(partner_sector_codes, ',') as partner_sector_codes,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from reports
