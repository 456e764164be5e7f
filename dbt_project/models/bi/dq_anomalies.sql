-- Unusual deliveries for dashboards: each check of a loaded file that came out unusual against
-- its baseline (thanrak.observe), with the province's and dataset's names, the check, its
-- direction, level and baseline in Thai and English, and the observed value against the usual
-- range. Shares are percentages here (0-100), as elsewhere in bi.
with anomalies as (
    select * from {{ ref('fct_dq_anomalies') }}
),

datasets as (
    select * from {{ ref('contract_datasets') }}
),

latest as (
    select max(processed_night) as night from {{ ref('fct_dq_deliveries') }}
)

select
    anomalies.submission_id::bigint as submission_id,
    anomalies.province_code::text as province_code,
    {{ province_name_columns() }}
    anomalies.dataset::text as dataset,
    datasets.title_th::text as dataset_title_th,
    datasets.title_en::text as dataset_title_en,
    anomalies.period::text as period,
    anomalies.revision::integer as revision,
    anomalies.is_in_force::boolean as is_in_force,
    anomalies.delivered_at::timestamptz as delivered_at,
    anomalies.processed_night::date as processed_night,
    (anomalies.processed_night = (select night from latest)) as is_latest_night,
    anomalies.check_name::text as check_name,
    anomalies.metric::text as metric,
    anomalies.column_name::text as column_name,
    anomalies.check_label_th::text as check_label_th,
    anomalies.check_label_en::text as check_label_en,
    anomalies.observed::double precision as observed,
    anomalies.expected::double precision as expected,
    anomalies.expected_low::double precision as expected_low,
    anomalies.expected_high::double precision as expected_high,
    anomalies.score::double precision as score,
    anomalies.direction::text as direction,
    anomalies.direction_th::text as direction_th,
    anomalies.direction_en::text as direction_en,
    anomalies.level::text as level,
    anomalies.level_order::integer as level_order,
    anomalies.level_th::text as level_th,
    anomalies.level_en::text as level_en,
    anomalies.baseline::text as baseline,
    anomalies.baseline_th::text as baseline_th,
    anomalies.baseline_en::text as baseline_en,
    anomalies.history_periods::integer as history_periods,
    anomalies.code::text as code,
    anomalies.code_name_th::text as code_name_th,
    anomalies.code_name_en::text as code_name_en,
    (100 * anomalies.code_share)::double precision as code_share_pct,
    (100 * anomalies.usual_code_share)::double precision as usual_code_share_pct,
    anomalies.history_metric::text as history_metric
from anomalies
left join datasets on datasets.dataset = anomalies.dataset
{{ join_province_names('anomalies.province_code') }}
