-- G1-KNN-HIRES, G2-KNN-TRAINEES and G3-KNN-ORGANIC of the scorecard per province and fiscal
-- quarter, of the quarter and of the fiscal year to the quarter's end, from fct_knn_activities
-- alone: rebuilt on the nights Khok Nong Na activity files arrive, not on another dataset's.
-- - G1-KNN-HIRES: people hired by activity 3 (jobs and income), every group, month by month:
--   a person hired for three months counts three times (person-months);
-- - G2-KNN-TRAINEES: trainees of activity 1 (short training), person-times;
-- - G3-KNN-ORGANIC: produce certified to the Thai organic standard by activity 6, each month's
--   report taken as that month's new certifications (not verified: see the programme's doc).
-- A province has the three rows for every quarter it reported any activity in (0 for an
-- activity it had nothing of), none for a quarter it reported nothing.
with calendar as (
    select date_day, fiscal_year_be, fiscal_quarter from {{ ref('stg_ref__calendar') }}
),

reports as (
    select * from {{ ref('fct_knn_activities') }}
),

activity_sums as (
    select
        reports.province_code,
        calendar.fiscal_year_be,
        calendar.fiscal_quarter,
        coalesce(sum(reports.people) filter (where reports.activity_code = '3'), 0) as hires,
        coalesce(sum(reports.people) filter (where reports.activity_code = '1'), 0) as trainees,
        coalesce(sum(reports.certified) filter (where reports.activity_code = '6'), 0) as certified
    from reports
    inner join calendar on calendar.date_day = reports.date_key
    group by reports.province_code, calendar.fiscal_year_be, calendar.fiscal_quarter
),

-- Counts (person-months, person-times, products): no denominator.
measures as (
    select
        province_code, fiscal_year_be, fiscal_quarter, 'G1-KNN-HIRES' as indicator_code,
        hires::numeric as numerator, null::numeric as denominator
    from activity_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G2-KNN-TRAINEES', trainees, null from activity_sums
    union all
    select province_code, fiscal_year_be, fiscal_quarter, 'G3-KNN-ORGANIC', certified, null from activity_sums
),

-- Sums over a quarter add up to the fiscal year to date.
to_date as (
    {{ summed_fiscal_year_to_date('measures') }}
)

select * from to_date
