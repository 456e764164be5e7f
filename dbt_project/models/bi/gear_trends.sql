-- Each gear quarter by quarter: how its indicators did nationally (mean attainment, indicators
-- meeting their target) and how many province × indicator cells met their target.
with national as (
    select * from {{ ref('fct_scorecard_national') }}
),

scorecard as (
    select * from {{ ref('fct_scorecard') }}
),

by_gear as (
    select
        gear_code,
        fiscal_year_be,
        fiscal_quarter,
        min(fiscal_quarter_label) as fiscal_quarter_label,
        min(quarter_start_date) as quarter_start_date,
        count(*) as indicators,
        count(indicator_value) as indicators_with_data,
        count(*) filter (where attainment >= 1) as indicators_meeting_target,
        avg(attainment) as mean_attainment
    from national
    group by gear_code, fiscal_year_be, fiscal_quarter
),

cells as (
    select
        gear_code,
        fiscal_year_be,
        fiscal_quarter,
        count(*) as province_cells,
        count(*) filter (where has_data) as province_cells_with_data,
        count(*) filter (where attainment >= 1) as province_cells_meeting_target
    from scorecard
    group by gear_code, fiscal_year_be, fiscal_quarter
),

latest as (
    select max(quarter_start_date) as quarter_start_date from national
)

select
    {{ gear_columns('by_gear') }}
    {{ fiscal_quarter_columns('by_gear') }}
    by_gear.indicators::integer as indicators,
    by_gear.indicators_with_data::integer as indicators_with_data,
    by_gear.indicators_meeting_target::integer as indicators_meeting_target,
    round(by_gear.mean_attainment, 4)::numeric as mean_attainment,
    coalesce(cells.province_cells, 0)::integer as province_cells,
    coalesce(cells.province_cells_with_data, 0)::integer as province_cells_with_data,
    coalesce(cells.province_cells_meeting_target, 0)::integer as province_cells_meeting_target,
    round(100.0 * cells.province_cells_meeting_target / nullif(cells.province_cells_with_data, 0), 2)::numeric
        as province_cells_meeting_target_pct
from by_gear
left join cells using (gear_code, fiscal_year_be, fiscal_quarter)
{{ join_gear_names('by_gear.gear_code') }}
