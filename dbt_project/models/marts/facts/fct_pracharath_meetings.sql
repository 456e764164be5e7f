-- Meetings of the province's Pracharath bodies (the committee คสป. and the social-enterprise
-- company): one row per province × body × meeting date of the files in force.

{% set dataset = 'pracharath_meetings' %}
{{ config(indexes=fact_indexes('meeting_key'), meta={'dataset': dataset}) }}

with meetings as (
    select * from {{ ref('int_pracharath_meetings_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || body_code || '|' || meeting_date) as meeting_key,
    province_code,
    period,
    body_code,
    meeting_no,
    meeting_date as date_key,
    -- Comma-separated for BI tools that cannot read arrays; bridge_pracharath_meeting_partner_sector has one row each.
    array_to_string(partner_sector_codes, ',') as partner_sector_codes,
    cardinality(partner_sector_codes) as partner_sectors_present,
    attendees,
    resolutions,
    resolutions_done,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from meetings
