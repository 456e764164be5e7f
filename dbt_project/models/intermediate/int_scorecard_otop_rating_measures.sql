-- G3-OTOP-STARS of the scorecard per province and fiscal quarter, from fct_otop_rating: of the
-- products the province rated in its latest OPC round announced up to the quarter's end, how many
-- got 4 or 5 stars. A standing, not a sum: a round's results stand until the province announces
-- the next round (OPC is held every two years), across fiscal years (no restart on 1 October).
--   fy_to_date_numerator / fy_to_date_denominator: the standing at the quarter's end (the value
--     the scorecard shows, period_type fy_to_date);
--   numerator / denominator: the same counts in the quarter the standing round was announced in,
--     0 in the quarters after it (as a budget standing's quarter, int_scorecard_budget_measures).
-- A round is announced on the earliest announced_on of its rows in force in the province. A
-- province has rows from the quarter of its first announcement to the quarter of the latest month
-- any file in force reports for (int_submissions_in_force): that month moves on nights without
-- results files, hence a view (see the YAML).
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

ratings as (
    select province_code, opc_round, star_level, date_key from {{ ref('fct_otop_rating') }}
),

submissions_in_force as (
    select period from {{ ref('int_submissions_in_force') }}
),

quarters as (
    select
        fiscal_year_be,
        fiscal_quarter,
        min(date_day) as quarter_start,
        max(date_day) as quarter_end
    from calendar
    group by fiscal_year_be, fiscal_quarter
),

latest_month as (
    select to_date(max(period), 'YYYY-MM') as month_start from submissions_in_force
),

rounds as (
    select
        province_code,
        opc_round,
        min(date_key) as announced_on,
        count(*) as rated_products,
        count(*) filter (where star_level >= 4) as four_or_five_star_products
    from ratings
    group by province_code, opc_round
),

province_quarters as (
    select
        rounds.province_code,
        quarters.fiscal_year_be,
        quarters.fiscal_quarter,
        quarters.quarter_start,
        quarters.quarter_end
    from (select province_code, min(announced_on) as first_announced_on from rounds group by province_code) as rounds
    inner join quarters
        on quarters.quarter_end >= rounds.first_announced_on
        and quarters.quarter_start <= (select latest_month.month_start from latest_month)
),

standing as (
    select distinct on (province_quarters.province_code, province_quarters.fiscal_year_be, province_quarters.fiscal_quarter)
        province_quarters.province_code,
        province_quarters.fiscal_year_be,
        province_quarters.fiscal_quarter,
        rounds.announced_on >= province_quarters.quarter_start as is_announced_in_quarter,
        rounds.rated_products,
        rounds.four_or_five_star_products
    from province_quarters
    inner join rounds
        on rounds.province_code = province_quarters.province_code
        and rounds.announced_on <= province_quarters.quarter_end
    order by
        province_quarters.province_code asc, province_quarters.fiscal_year_be asc,
        province_quarters.fiscal_quarter asc, rounds.opc_round desc
)

select
    province_code,
    fiscal_year_be,
    fiscal_quarter,
    'G3-OTOP-STARS' as indicator_code,
    (case when is_announced_in_quarter then four_or_five_star_products else 0 end)::numeric as numerator,
    (case when is_announced_in_quarter then rated_products else 0 end)::numeric as denominator,
    four_or_five_star_products::numeric as fy_to_date_numerator,
    rated_products::numeric as fy_to_date_denominator
from standing
