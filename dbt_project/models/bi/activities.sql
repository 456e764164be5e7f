-- Five-gear activities, one row per activity, with every code named in Thai and English:
-- where (tambon, amphoe, province, region), when (month, fiscal quarter), gear, value-chain
-- stage, sector, programme and partner sectors.
with activities as (
    select * from {{ ref('fct_activities') }}
),

areas as (
    select * from {{ ref('dim_area') }}
),

partners as (
    select * from {{ ref('dim_partner_sector') }}
)

select
    activities.activity_key::text as activity_key,
    activities.activity_id::text as activity_id,
    activities.province_code::text as province_code,
    areas.province_name_th::text as province_name_th,
    areas.province_name_en::text as province_name_en,
    areas.region_th::text as region_th,
    areas.region_en::text as region_en,
    areas.amphoe_code::text as amphoe_code,
    areas.amphoe_name_th::text as amphoe_name_th,
    areas.amphoe_name_en::text as amphoe_name_en,
    activities.area_key::text as tambon_code,
    areas.tambon_name_th::text as tambon_name_th,
    areas.tambon_name_en::text as tambon_name_en,
    activities.date_key::date as activity_date,
    {{ month_columns("date_trunc('month', activities.date_key)") }}
    {{ gear_columns('activities') }}
    {{ activity_code_columns('activities') }}
    activities.partner_sector_codes::text as partner_sector_codes,
    (
        select string_agg(partners.name_th, ', ' order by partners.sort_order)
        from partners where partners.partner_sector_code = any(string_to_array(activities.partner_sector_codes, ','))
    )::text as partner_sectors_th,
    (
        select string_agg(partners.name_en, ', ' order by partners.sort_order)
        from partners where partners.partner_sector_code = any(string_to_array(activities.partner_sector_codes, ','))
    )::text as partner_sectors_en,
    activities.participants::integer as participants,
    activities.households_reached::integer as households_reached,
    activities.budget_baht::numeric(16, 2) as budget_baht,
    activities.disbursed_baht::numeric(16, 2) as disbursed_baht
from activities
left join areas on areas.area_key = activities.area_key
{{ join_dates('activities.date_key') }}
{{ join_gear_names('activities.gear_code') }}
{{ join_activity_code_names('activities') }}
