-- G5-ON-TIME of the scorecard per province and fiscal quarter, from fct_dq_completeness alone.
-- The submission manifest changes every night, so this model is rebuilt every night; it reads a
-- row per province × dataset × month slot, not the facts.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

completeness as (
    select * from {{ ref('fct_dq_completeness') }}
),

-- Slots count in the quarter of their period. A quarter nobody delivered anything for is left
-- out (no scorecard row), and a slot counts once it is decided: its due date has passed, or it
-- was delivered on time already.
slot_quarters as (
    select
        completeness.province_code,
        completeness.delivery_status,
        completeness.is_due,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter
    from completeness
    inner join calendar on calendar.date_day = completeness.period_start_date
),

delivered_quarters as (
    select distinct fiscal_year_be, fiscal_quarter
    from slot_quarters
    where delivery_status in ('on_time', 'late')
),

delivery_sums as (
    select
        slot_quarters.province_code,
        slot_quarters.fiscal_year_be,
        slot_quarters.fiscal_quarter,
        count(*) filter (where slot_quarters.delivery_status = 'on_time') as slots_on_time,
        count(*) as slots_decided
    from slot_quarters
    inner join delivered_quarters using (fiscal_year_be, fiscal_quarter)
    where slot_quarters.delivery_status = 'on_time' or slot_quarters.is_due
    group by slot_quarters.province_code, slot_quarters.fiscal_year_be, slot_quarters.fiscal_quarter
),

measures as (
    select
        province_code,
        fiscal_year_be,
        fiscal_quarter,
        'G5-ON-TIME' as indicator_code,
        slots_on_time::numeric as numerator,
        slots_decided::numeric as denominator
    from delivery_sums
),

-- Sums over a quarter add up to the fiscal year to date (the seed takes G5-ON-TIME of the quarter).
to_date as (
    {{ summed_fiscal_year_to_date('measures') }}
)

select * from to_date
