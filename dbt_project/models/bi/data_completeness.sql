-- The completeness matrix for dashboards: every CDD province × dataset × period (month) slot
-- judged against its due date (due_day of the following month), its status (on time, late,
-- rejected, missing, not yet due) in Thai and English, the files and the rows of the file in
-- force. Bangkok (not in the CDD network) has no slots.
with completeness as (
    select * from {{ ref('fct_dq_completeness') }}
),

-- The rows of the slot's file in force: its latest loaded revision.
in_force as (
    select distinct on (province_code, dataset, period)
        province_code,
        dataset,
        period,
        rows_received,
        rows_loaded,
        rows_quarantined
    from {{ ref('fct_dq_deliveries') }}
    where status = 'loaded'
    order by province_code asc, dataset asc, period asc, revision desc
),

first_files as (
    select province_code, dataset, period, min(delivery_night) as first_night
    from {{ ref('fct_dq_deliveries') }}
    group by province_code, dataset, period
),

datasets as (
    select * from {{ ref('contract_datasets') }}
),

statuses as (
    select * from (
        values
        ('on_time', 1, 'ส่งตรงกำหนด', 'On time'),
        ('late', 2, 'ส่งหลังกำหนด', 'Late (after the due date)'),
        ('rejected', 3, 'ไฟล์ไม่ผ่าน', 'Rejected'),
        ('missing', 4, 'เลยกำหนดแล้วยังไม่ได้ส่ง', 'Missing (due date passed)'),
        ('not_yet_due', 5, 'ยังไม่ถึงกำหนดส่ง', 'Not yet due')
    ) as statuses (delivery_status, sort_order, status_th, status_en)
),

-- The period of the latest night processed (its month).
latest as (
    select to_char(max(processed_night), 'YYYY-MM') as period from {{ ref('fct_dq_deliveries') }}
)

select
    completeness.province_code::text as province_code,
    {{ province_name_columns() }}
    completeness.dataset::text as dataset,
    datasets.title_th::text as dataset_title_th,
    datasets.title_en::text as dataset_title_en,
    coalesce(completeness.first_loaded_night, first_files.first_night)::date as delivery_night,
    (completeness.period = (select period from latest)) as is_latest_night,
    completeness.delivery_status::text as delivery_status,
    statuses.sort_order::integer as delivery_status_order,
    statuses.status_th::text as delivery_status_th,
    statuses.status_en::text as delivery_status_en,
    (completeness.delivery_status in ('on_time', 'late')) as is_delivered,
    completeness.files::integer as files,
    completeness.files_loaded::integer as files_loaded,
    completeness.files_rejected::integer as files_rejected,
    coalesce(in_force.rows_received, 0)::bigint as rows_received,
    coalesce(in_force.rows_loaded, 0)::bigint as rows_loaded,
    coalesce(in_force.rows_quarantined, 0)::bigint as rows_quarantined,
    completeness.period::text as period,
    completeness.period_start_date::date as period_start_date,
    completeness.due_date::date as due_date,
    completeness.is_due::boolean as is_due,
    completeness.first_loaded_at::timestamptz as first_loaded_at
from completeness
left join in_force using (province_code, dataset, period)
left join first_files using (province_code, dataset, period)
left join datasets on datasets.dataset = completeness.dataset
{{ join_province_names('completeness.province_code') }}
left join statuses on statuses.delivery_status = completeness.delivery_status
