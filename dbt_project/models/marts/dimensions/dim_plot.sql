-- Khok Nong Na plots: model (HLM household / CLM tambon learning centre), size and tambon from
-- the most recent progress report.
with reports as (
    select * from {{ ref('int_knn_plot_progress_in_force') }}
),

plot_models as (
    select * from {{ ref('contract_code_lists') }} where code_list = 'plot_model'
),

latest as (
    select distinct on (province_code, plot_id)
        province_code,
        plot_id,
        tambon_code,
        plot_model_code,
        area_rai,
        report_month
    from reports
    order by province_code asc, plot_id asc, report_month desc, submission_id desc, source_row asc
)

select
    md5(latest.province_code || '|' || latest.plot_id) as plot_key,
    latest.plot_id,
    latest.province_code,
    latest.tambon_code as area_key,
    latest.plot_model_code,
    plot_models.name_th as plot_model_th,
    plot_models.name_en as plot_model_en,
    latest.area_rai,
    latest.report_month as last_report_month
from latest
left join plot_models on plot_models.code = latest.plot_model_code
