-- Typical dashboard queries on Thanrak's `bi` views (docs/bi.md) / คำสั่ง SQL ตัวอย่างสำหรับแดชบอร์ด
--
-- Each query is plain PostgreSQL that Superset, Metabase, Power BI or Excel accept as it is,
-- run as `bi_reader` (or a provincial reader: then only its provinces' rows come back).
-- "Latest" is found in the data, so nothing needs editing; a dashboard would replace those
-- sub-queries by its own filters. Where a view aggregates a large fact, the query aggregates it
-- once in a CTE and takes the latest year or month from that CTE: `where year = (select max(year)
-- from bi.<view>)` would aggregate the whole view a second time just to find the year. Every query starts with `-- name: <slug>` and one line on
-- what it shows: tests/test_bi_queries.py runs each of them as bi_reader, and
-- bench/bi_latency.py times them at national scale.


-- name: scorecard-latest-quarter
-- Five-gear scorecard of every province for the latest quarter, against target, with rank /
-- ตัวชี้วัด 5 ฟันเฟืองรายจังหวัด ไตรมาสล่าสุด เทียบเป้าหมาย และอันดับ
select
    province_name_th,
    province_name_en,
    region_en,
    gear_code,
    gear_name_th,
    indicator_code,
    indicator_name_th,
    unit,
    indicator_value,
    target,
    attainment,
    national_rank,
    change_from_previous_quarter
from bi.scorecard
where is_latest_quarter
order by province_code, gear_code, indicator_code;


-- name: gear-trends
-- Each gear quarter by quarter: mean attainment and share of provinces meeting target /
-- แนวโน้มรายฟันเฟือง: ผลสัมฤทธิ์เฉลี่ยและร้อยละของจังหวัดที่บรรลุเป้าหมาย รายไตรมาส
select
    fiscal_quarter_label,
    fiscal_quarter_label_th,
    gear_code,
    gear_name_th,
    gear_name_en,
    indicators_with_data,
    indicators_meeting_target,
    mean_attainment,
    province_cells_meeting_target_pct
from bi.gear_trends
order by quarter_start_date, gear_code;


-- name: national-scorecard
-- The national scorecard for the latest quarter: value, target, provinces meeting target /
-- ตัวชี้วัดระดับประเทศ ไตรมาสล่าสุด และจำนวนจังหวัดที่บรรลุเป้าหมาย
select
    gear_name_th,
    indicator_code,
    indicator_name_th,
    indicator_name_en,
    unit,
    indicator_value,
    target,
    attainment,
    provinces_with_data,
    provinces_meeting_target,
    change_from_previous_quarter
from bi.scorecard_national
where is_latest_quarter
order by gear_code, indicator_code;


-- name: region-comparison
-- Regions compared, gear by gear, for the latest quarter: mean attainment and provinces on target /
-- เปรียบเทียบรายภาค รายฟันเฟือง ไตรมาสล่าสุด
select
    region_th,
    region_en,
    gear_code,
    gear_name_th,
    count(distinct province_code) as provinces,
    round(avg(attainment), 3) as mean_attainment,
    count(*) filter (where meets_target) as province_indicators_meeting_target,
    count(*) filter (where has_data) as province_indicators_with_data
from bi.scorecard
where is_latest_quarter
group by region_th, region_en, gear_code, gear_name_th
order by region_en, gear_code;


-- name: otop-sales-by-channel
-- OTOP sales by sales channel and fiscal year, with each channel's share /
-- ยอดจำหน่าย OTOP รายช่องทางจำหน่าย รายปีงบประมาณ และสัดส่วน
select
    fiscal_year_be,
    channel_code,
    channel_name_th,
    channel_name_en,
    sum(revenue_baht) as revenue_baht,
    sum(units_sold) as units_sold,
    round(100 * sum(revenue_baht) / sum(sum(revenue_baht)) over (partition by fiscal_year_be), 2)
        as share_pct
from bi.otop_sales_monthly
group by fiscal_year_be, channel_code, channel_name_th, channel_name_en
order by fiscal_year_be, revenue_baht desc;


-- name: otop-sales-by-province-month
-- OTOP sales per province and month, online share included (the OTOP trend chart) /
-- ยอดจำหน่าย OTOP รายจังหวัด รายเดือน และสัดส่วนออนไลน์
select
    province_name_th,
    province_name_en,
    month_start_date,
    month_name_th,
    year_be,
    sum(revenue_baht) as revenue_baht,
    round(100 * sum(revenue_baht) filter (where channel_code = 'online') / nullif(sum(revenue_baht), 0), 2)
        as online_share_pct
from bi.otop_sales_monthly
group by province_code, province_name_th, province_name_en, month_start_date, month_name_th, year_be
order by province_code, month_start_date;


-- name: disbursement-rate
-- Budget disbursement rate by province and district office, latest fiscal year to date /
-- อัตราการเบิกจ่ายงบประมาณรายจังหวัดและอำเภอ ปีงบประมาณล่าสุด
with by_unit as (
    select
        fiscal_year_be,
        province_code,
        province_name_th,
        province_name_en,
        unit_code,
        unit_name_th,
        unit_name_en,
        sum(allocated_baht) as allocated_baht,
        sum(disbursed_baht) as disbursed_baht
    from bi.budget_disbursement
    group by fiscal_year_be, province_code, province_name_th, province_name_en, unit_code, unit_name_th, unit_name_en
)

select
    province_name_th,
    province_name_en,
    unit_name_th,
    unit_name_en,
    allocated_baht,
    disbursed_baht,
    round(100 * disbursed_baht / nullif(allocated_baht, 0), 2) as disbursed_pct
from by_unit
where fiscal_year_be = (select max(fiscal_year_be) from by_unit)
order by province_code, unit_code;


-- name: households-below-threshold
-- Households below the จปฐ. income threshold by amphoe, latest survey year, highest share first /
-- ครัวเรือนที่รายได้ต่ำกว่าเกณฑ์ จปฐ. รายอำเภอ ปีสำรวจล่าสุด
with by_amphoe as (
    select
        province_name_th,
        amphoe_code,
        amphoe_name_th,
        amphoe_name_en,
        survey_year_be,
        sum(households) as households,
        sum(households_below_threshold) as households_below_threshold,
        min(income_threshold_baht) as income_threshold_baht,
        bool_and(threshold_verified) as threshold_verified
    from bi.households_below_threshold
    group by province_code, province_name_th, amphoe_code, amphoe_name_th, amphoe_name_en, survey_year_be
)

select
    province_name_th,
    amphoe_name_th,
    amphoe_name_en,
    survey_year_be,
    households,
    households_below_threshold,
    round(100.0 * households_below_threshold / nullif(households, 0), 2) as share_below_pct,
    income_threshold_baht,
    threshold_verified
from by_amphoe
where survey_year_be = (select max(survey_year_be) from by_amphoe)
order by share_below_pct desc, households desc;


-- name: poverty-transitions
-- Households lifted above or fallen below the income threshold, by province, latest year pair /
-- ครัวเรือนที่พ้นเกณฑ์หรือตกเกณฑ์รายได้ รายจังหวัด ระหว่างปีสำรวจล่าสุด
with by_province as (
    select
        province_code,
        province_name_th,
        province_name_en,
        from_survey_year_be,
        to_survey_year_be,
        transition_order,
        transition_th,
        transition_en,
        sum(households) as households
    from bi.poverty_transitions
    group by province_code, province_name_th, province_name_en, from_survey_year_be, to_survey_year_be,
        transition_order, transition_th, transition_en
)

select
    province_name_th,
    province_name_en,
    from_survey_year_be,
    to_survey_year_be,
    transition_th,
    transition_en,
    households
from by_province
where to_survey_year_be = (select max(to_survey_year_be) from by_province)
order by province_code, transition_order;


-- name: bmn-item-pass-rates
-- จปฐ. survey items nationally, latest survey year, weakest first /
-- ผลการผ่านเกณฑ์ จปฐ. รายตัวชี้วัด ระดับประเทศ ปีสำรวจล่าสุด (ข้อที่ผ่านน้อยที่สุดก่อน)
with by_item as (
    select
        survey_year_be,
        indicator_set,
        item_no,
        indicator_name_th,
        sum(households_surveyed) as households_surveyed,
        sum(households_passed) as households_passed
    from bi.bmn_indicator_pass_rates
    group by survey_year_be, indicator_set, item_no, indicator_name_th
)

select
    survey_year_be,
    indicator_set,
    item_no,
    indicator_name_th,
    households_surveyed,
    households_passed,
    round(100.0 * households_passed / nullif(households_surveyed, 0), 2) as pass_rate_pct
from by_item
where survey_year_be = (select max(survey_year_be) from by_item)
order by pass_rate_pct, indicator_set, item_no;


-- name: activities-by-gear
-- Five-gear activities by gear and programme, latest fiscal year: count, participants, budget /
-- กิจกรรมรายฟันเฟืองและโครงการ ปีงบประมาณล่าสุด
select
    gear_code,
    gear_name_th,
    programme_th,
    programme_en,
    sum(activities) as activities,
    sum(participants) as participants,
    sum(households_reached) as households_reached,
    sum(budget_baht) as budget_baht,
    sum(disbursed_baht) as disbursed_baht
from bi.activities_yearly
where fiscal_year_be = (select max(fiscal_year_be) from bi.activities_yearly)
group by gear_code, gear_name_th, programme_code, programme_th, programme_en
order by gear_code, activities desc;


-- name: knn-plot-progress
-- Khok Nong Na plots by province for the latest month: plots, mean progress, workers hired /
-- ความก้าวหน้าแปลงโคก หนอง นา รายจังหวัด เดือนล่าสุด
with by_province as (
    select
        month_start_date,
        province_code,
        province_name_th,
        province_name_en,
        month_name_th,
        year_be,
        sum(plots_reporting) as plots_reporting,
        sum(mean_progress_pct * plots_reporting) as progress_pct_sum,
        sum(plots_complete) as plots_complete,
        sum(workers_hired) as workers_hired,
        sum(wages_baht) as wages_baht
    from bi.plot_progress_monthly
    group by month_start_date, province_code, province_name_th, province_name_en, month_name_th, year_be
)

select
    province_name_th,
    province_name_en,
    month_name_th,
    year_be,
    plots_reporting,
    round(progress_pct_sum / nullif(plots_reporting, 0), 2) as mean_progress_pct,
    plots_complete,
    workers_hired,
    wages_baht
from by_province
where month_start_date = (select max(month_start_date) from by_province)
order by province_code;


-- name: data-completeness-latest-night
-- Who delivered what for the latest night's month: every CDD province (Bangkok is not in the network), datasets on
-- time, late (after the due date), rejected, missing, not yet due / ความครบถ้วนของการส่งข้อมูลงวดของคืนล่าสุด รายจังหวัด
select
    province_code,
    province_name_th,
    province_name_en,
    period,
    min(due_date) as due_date,
    count(*) filter (where delivery_status = 'on_time') as datasets_on_time,
    count(*) filter (where delivery_status = 'late') as datasets_late,
    count(*) filter (where delivery_status = 'rejected') as datasets_rejected,
    count(*) filter (where delivery_status = 'missing') as datasets_missing,
    count(*) filter (where delivery_status = 'not_yet_due') as datasets_not_yet_due,
    sum(rows_loaded) as rows_loaded,
    sum(rows_quarantined) as rows_quarantined
from bi.data_completeness
where is_latest_night
group by province_code, province_name_th, province_name_en, period
order by datasets_missing desc, datasets_rejected desc, province_code;


-- name: top-failing-rules
-- The validation rules that failed most rows over the last seven nights /
-- กฎคุณภาพข้อมูลที่มีแถวไม่ผ่านมากที่สุดใน 7 คืนล่าสุด
select
    dataset,
    dataset_title_th,
    rule,
    column_name,
    severity_th,
    severity_en,
    sum(files_failing) as files_failing,
    sum(failed_rows) as failed_rows,
    count(distinct province_code) filter (where failed_rows > 0) as provinces
from bi.data_quality_rules
where delivery_night > (select max(delivery_night) from bi.data_quality_rules) - 7
group by dataset, dataset_title_th, rule, column_name, severity_th, severity_en
having sum(failed_rows) > 0
order by failed_rows desc
limit 20;


-- name: rejected-files
-- Files rejected over the last seven nights, with the reason in Thai and English /
-- ไฟล์ที่ไม่รับใน 7 คืนล่าสุด พร้อมเหตุผล
select
    delivery_night,
    province_name_th,
    dataset_title_th,
    period,
    revision,
    source_key,
    reject_reason_th,
    reject_reason_en
from bi.deliveries
where status = 'rejected'
    and delivery_night > (select max(delivery_night) from bi.deliveries) - 7
order by delivery_night desc, province_code, dataset;
