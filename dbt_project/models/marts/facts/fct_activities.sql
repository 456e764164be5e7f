-- One row per five-gear activity of the files in force.

{% set dataset = 'activities' %}
{{ config(indexes=fact_indexes('activity_key'), meta={'dataset': dataset}) }}

with activities as (
    select * from {{ ref('int_activities_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || period || '|' || activity_id) as activity_key,
    activity_id,
    province_code,
    period,
    tambon_code as area_key,
    activity_date as date_key,
    gear_code,
    value_chain_stage_code,
    sector_code,
    programme_code,
    -- Comma-separated for BI tools that cannot read arrays; bridge_activity_partner_sector has one row each.
    array_to_string(partner_sector_codes, ',') as partner_sector_codes,
    participants,
    households_reached,
    budget_baht,
    disbursed_baht,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from activities
