-- G3-OTOP-SALES and G3-OTOP-ONLINE of the scorecard per province and fiscal quarter, of the
-- quarter and of the fiscal year to the quarter's end, from fct_otop_sales alone: rebuilt on the
-- nights OTOP sales files arrive, not on another dataset's. The online share is online revenue
-- over all revenue; a province has rows for the quarters it reported sales in.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

otop_sales as (
    select * from {{ ref('fct_otop_sales') }}
),

otop_sums as (
    select
        otop_sales.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        sum(otop_sales.revenue_baht) as revenue_baht,
        coalesce(sum(otop_sales.revenue_baht) filter (where otop_sales.channel_code = 'online'), 0) as online_baht
    from otop_sales
    inner join calendar on calendar.date_day = otop_sales.date_key
    group by otop_sales.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
),

measures as (
    select
        province_code, fiscal_year_be, fiscal_quarter, 'G3-OTOP-SALES' as indicator_code,
        revenue_baht as numerator, null::numeric as denominator
    from otop_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G3-OTOP-ONLINE', online_baht, revenue_baht
    from otop_sums
),

-- Sums over a quarter add up to the fiscal year to date.
to_date as (
    {{ summed_fiscal_year_to_date('measures') }}
)

select * from to_date
