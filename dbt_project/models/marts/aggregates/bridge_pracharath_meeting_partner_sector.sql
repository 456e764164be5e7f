-- One row per Pracharath meeting × partner sector present (a meeting usually has several), so a
-- BI tool can count meetings by partner sector without splitting text.
with meetings as (
    select meeting_key, province_code, partner_sector_codes from {{ ref('fct_pracharath_meetings') }}
)

select
    meetings.meeting_key,
    meetings.province_code,
    partner.partner_sector_code
from meetings
cross join lateral unnest(string_to_array(meetings.partner_sector_codes, ',')) as partner (partner_sector_code)
