-- The completeness matrix by delivery schedule: every CDD province × dataset × period (month)
-- from the first period anything arrived for to the period of the latest night processed. A
-- period's file is due by due_day (seed contract_datasets) of the following month, to the end of
-- that day, Bangkok time. The slot is on_time or late by its first loaded file, rejected when
-- only rejected files came, and without any file missing once the due date has passed, not_yet_due
-- before (judged against the latest night processed, not today's date). Bangkok (province 10,
-- not in the CDD network) has no slots. A dataset whose files come only for a period in which
-- something took place (schedule when_held: OPC selection results) has a slot only where a file
-- came: no period of it is ever missing.
with provinces as (
    select province_code from {{ ref('stg_ref__provinces') }} where in_cdd_network
),

datasets as (
    select dataset, due_day, schedule from {{ ref('contract_datasets') }}
),

submissions as (
    select *, to_date(period || '-01', 'YYYY-MM-DD') as period_start_date from {{ ref('stg_ops__submissions') }}
),

latest_night as (
    select max(processed_night) as night from submissions
),

periods as (
    select date_day as period_start_date, to_char(date_day, 'YYYY-MM') as period
    from {{ ref('stg_ref__calendar') }}
    where
        extract(day from date_day) = 1
        and date_day between (select min(period_start_date) from submissions)
        and greatest((select night from latest_night), (select max(period_start_date) from submissions))
),

delivered as (
    select
        province_code,
        dataset,
        period,
        count(*) as files,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'rejected') as files_rejected,
        min(delivered_at) as first_delivered_at,
        min(delivered_at) filter (where status = 'loaded') as first_loaded_at,
        min(delivery_night) filter (where status = 'loaded') as first_loaded_night
    from submissions
    group by province_code, dataset, period
),

slots as (
    select
        provinces.province_code,
        datasets.dataset,
        periods.period,
        periods.period_start_date,
        (periods.period_start_date + interval '1 month' + (datasets.due_day - 1) * interval '1 day')::date
            as due_date,
        delivered.first_delivered_at,
        delivered.first_loaded_at,
        delivered.first_loaded_night,
        coalesce(delivered.files, 0) as files,
        coalesce(delivered.files_loaded, 0) as files_loaded,
        coalesce(delivered.files_rejected, 0) as files_rejected
    from provinces
    cross join datasets
    cross join periods
    left join delivered
        on delivered.province_code = provinces.province_code
        and delivered.dataset = datasets.dataset
        and delivered.period = periods.period
    where datasets.schedule = 'monthly' or delivered.files is not null
),

judged as (
    select
        slots.*,
        -- The file may arrive until the end of the due date, Bangkok time.
        ((slots.due_date + 1)::timestamp at time zone 'Asia/Bangkok') as due_before,
        slots.due_date <= (select night from latest_night) as is_due
    from slots
)

select
    province_code,
    dataset,
    period,
    period_start_date,
    due_date,
    first_delivered_at,
    first_loaded_at,
    first_loaded_night,
    files,
    files_loaded,
    files_rejected,
    is_due,
    case
        when first_loaded_at < due_before then 'on_time'
        when first_loaded_at is not null then 'late'
        when files_rejected > 0 then 'rejected'
        when is_due then 'missing'
        else 'not_yet_due'
    end as delivery_status
from judged
