-- Meetings of the province's Pracharath bodies, one row per meeting, with every code named in
-- Thai and English: the province, the body (committee คสป. or the social-enterprise company), the
-- month and fiscal quarter, the partner sectors present; attendees and resolutions.
with meetings as (
    select * from {{ ref('fct_pracharath_meetings') }}
),

bodies as (
    select * from {{ ref('dim_pracharath_body') }}
),

partners as (
    select * from {{ ref('dim_partner_sector') }}
)

select
    meetings.meeting_key::text as meeting_key,
    meetings.province_code::text as province_code,
    {{ province_name_columns() }}
    meetings.body_code::text as body_code,
    bodies.name_th::text as body_th,
    bodies.name_en::text as body_en,
    meetings.meeting_no::integer as meeting_no,
    meetings.date_key::date as meeting_date,
    {{ month_columns("date_trunc('month', meetings.date_key)") }}
    meetings.partner_sector_codes::text as partner_sector_codes,
    (
        select string_agg(partners.name_th, ', ' order by partners.sort_order)
        from partners where partners.partner_sector_code = any(string_to_array(meetings.partner_sector_codes, ','))
    )::text as partner_sectors_th,
    (
        select string_agg(partners.name_en, ', ' order by partners.sort_order)
        from partners where partners.partner_sector_code = any(string_to_array(meetings.partner_sector_codes, ','))
    )::text as partner_sectors_en,
    meetings.partner_sectors_present::integer as partner_sectors_present,
    meetings.attendees::integer as attendees,
    meetings.resolutions::integer as resolutions,
    meetings.resolutions_done::integer as resolutions_done
from meetings
{{ join_province_names('meetings.province_code') }}
left join bodies on bodies.body_code = meetings.body_code
{{ join_dates('meetings.date_key') }}
