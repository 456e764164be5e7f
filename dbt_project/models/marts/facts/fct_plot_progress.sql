-- Khok Nong Na progress: one row per plot × report month of the files in force.

{% set dataset = 'knn_plot_progress' %}
{{ config(indexes=fact_indexes('plot_progress_key'), meta={'dataset': dataset}) }}

with reports as (
    select * from {{ ref('int_knn_plot_progress_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || plot_id || '|' || report_month) as plot_progress_key,
    province_code,
    period,
    md5(province_code || '|' || plot_id) as plot_key,
    tambon_code as area_key,
    report_month as date_key,
    progress_pct,
    workers_hired,
    wages_baht,
    spend_baht,
    produce_value_baht,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from reports
