-- One row per activity × partner sector taking part (an activity may have several), so a BI
-- tool can count activities by partner sector without splitting text.
with activities as (
    select activity_key, province_code, partner_sector_codes from {{ ref('fct_activities') }}
)

select
    activities.activity_key,
    activities.province_code,
    partner.partner_sector_code
from activities
cross join lateral unnest(string_to_array(activities.partner_sector_codes, ',')) as partner (partner_sector_code)
