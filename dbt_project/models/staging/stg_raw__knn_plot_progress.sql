with plot_progress as (
    select * from {{ source('raw', 'knn_plot_progress') }}
)

select
    submission_id,
    source_row,
    plot_id,
    tambon_code::text as tambon_code,
    plot_model as plot_model_code,
    area_rai,
    report_month,
    progress_pct,
    workers_hired,
    wages_baht,
    spend_baht,
    produce_value_baht,
    loaded_at
from plot_progress
