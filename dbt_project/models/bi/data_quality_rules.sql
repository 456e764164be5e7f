-- Which validation rules fail, where and when: one row per province × dataset × night × rule ×
-- column, with the files checked, the files failing and the rows failing
-- (marts.fct_dq_rules_nightly's, built each night).
with counted as (
    select * from {{ ref('fct_dq_rules_nightly') }}
),

datasets as (
    select * from {{ ref('contract_datasets') }}
),

severities as (
    select * from (
        values
        ('quarantine_row', 'กักแถวที่ไม่ผ่าน', 'Quarantines the row'),
        ('reject_file', 'ไม่รับทั้งไฟล์', 'Rejects the whole file')
    ) as severities (severity, severity_th, severity_en)
)

select
    counted.province_code::text as province_code,
    {{ province_name_columns() }}
    counted.dataset::text as dataset,
    datasets.title_th::text as dataset_title_th,
    datasets.title_en::text as dataset_title_en,
    counted.delivery_night::date as delivery_night,
    counted.rule::text as rule,
    counted.column_name::text as column_name,
    counted.severity::text as severity,
    severities.severity_th::text as severity_th,
    severities.severity_en::text as severity_en,
    counted.files_checked::integer as files_checked,
    counted.files_failing::integer as files_failing,
    counted.failed_rows::bigint as failed_rows,
    counted.rows_evaluated::bigint as rows_evaluated
from counted
left join datasets on datasets.dataset = counted.dataset
{{ join_province_names('counted.province_code') }}
left join severities on severities.severity = counted.severity
