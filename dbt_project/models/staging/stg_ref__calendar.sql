with calendar as (
    select * from {{ source('ref', 'calendar') }}
)

select
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
