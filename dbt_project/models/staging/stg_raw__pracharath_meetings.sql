with pracharath_meetings as (
    select * from {{ source('raw', 'pracharath_meetings') }}
)

select
    submission_id,
    source_row,
    body as body_code,
    meeting_no,
    meeting_date,
    partner_sectors as partner_sector_codes,
    attendees,
    resolutions,
    resolutions_done,
    loaded_at
from pracharath_meetings
