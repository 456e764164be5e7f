-- One row per SMART TAMBON level report (tambon × dimension × month) × partner sector taking
-- part (a report may name several), so a BI tool can count by partner sector without splitting text.
with levels as (
    select smart_tambon_level_key, province_code, partner_sector_codes from {{ ref('fct_smart_tambon_levels') }}
)

select
    levels.smart_tambon_level_key,
    levels.province_code,
    partner.partner_sector_code
from levels
cross join lateral unnest(string_to_array(levels.partner_sector_codes, ',')) as partner (partner_sector_code)
