-- Every day with its Buddhist-Era year, Thai month names and Thai fiscal year (1 Oct - 30 Sep,
-- named by the BE year it ends in). Attributes come from thanrak.thai_calendar via ref.calendar.
with calendar as (
    select * from {{ ref('stg_ref__calendar') }}
)

select
    date_day as date_key,
    date_day,
    year_ce,
    year_be,
    month,
    month_name_th,
    month_abbr_th,
    month_name_en,
    calendar_quarter,
    fiscal_year_be,
    fiscal_quarter,
    fiscal_quarter_label,
    iso_weekday,
    is_weekend
from calendar
