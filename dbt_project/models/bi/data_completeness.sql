-- The completeness matrix for dashboards: every CDD province × dataset × night, its delivery
-- status (on time, late, rejected, missing) in Thai and English, the files and the rows.
with completeness as (
    select * from {{ ref('fct_dq_completeness') }}
),

deliveries as (
    select
        province_code,
        dataset,
        delivery_night,
        sum(rows_received) as rows_received,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined
    from {{ ref('fct_dq_deliveries') }}
    group by province_code, dataset, delivery_night
),

datasets as (
    select * from {{ ref('contract_datasets') }}
),

statuses as (
    select * from (
        values
        ('on_time', 1, 'ส่งตรงเวลา', 'On time'),
        ('late', 2, 'ส่งล่าช้า', 'Late'),
        ('rejected', 3, 'ไฟล์ไม่ผ่าน', 'Rejected'),
        ('missing', 4, 'ไม่ได้ส่ง', 'Missing')
    ) as statuses (delivery_status, sort_order, status_th, status_en)
),

latest as (
    select max(delivery_night) as delivery_night from completeness
)

select
    completeness.province_code::text as province_code,
    {{ province_name_columns() }}
    completeness.dataset::text as dataset,
    datasets.title_th::text as dataset_title_th,
    datasets.title_en::text as dataset_title_en,
    completeness.delivery_night::date as delivery_night,
    (completeness.delivery_night = (select delivery_night from latest)) as is_latest_night,
    completeness.delivery_status::text as delivery_status,
    statuses.sort_order::integer as delivery_status_order,
    statuses.status_th::text as delivery_status_th,
    statuses.status_en::text as delivery_status_en,
    (completeness.delivery_status in ('on_time', 'late')) as is_delivered,
    completeness.files::integer as files,
    completeness.files_loaded::integer as files_loaded,
    completeness.files_rejected::integer as files_rejected,
    coalesce(deliveries.rows_received, 0)::bigint as rows_received,
    coalesce(deliveries.rows_loaded, 0)::bigint as rows_loaded,
    coalesce(deliveries.rows_quarantined, 0)::bigint as rows_quarantined
from completeness
left join deliveries using (province_code, dataset, delivery_night)
left join datasets on datasets.dataset = completeness.dataset
{{ join_province_names('completeness.province_code') }}
left join statuses on statuses.delivery_status = completeness.delivery_status
