-- Khok Nong Na plots per province × amphoe × month × plot model: plots reporting, mean
-- progress, plots complete, workers hired, wages, spend and value of produce. The numbers are
-- marts.fct_plot_progress_monthly's, built each night: this view names the codes and takes the mean.
with monthly as (
    select * from {{ ref('fct_plot_progress_monthly') }}
),

plot_models as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'plot_model'
)

select
    monthly.province_code::text as province_code,
    {{ province_name_columns() }}
    monthly.amphoe_code::text as amphoe_code,
    {{ amphoe_name_columns() }}
    {{ month_columns('monthly.date_key') }}
    monthly.plot_model_code::text as plot_model_code,
    plot_models.name_th::text as plot_model_th,
    plot_models.name_en::text as plot_model_en,
    monthly.plots_reporting::integer as plots_reporting,
    round(monthly.progress_pct_sum / nullif(monthly.plots_with_progress, 0), 2)::numeric(5, 2) as mean_progress_pct,
    monthly.plots_complete::integer as plots_complete,
    monthly.area_rai::numeric(18, 2) as area_rai,
    monthly.workers_hired::bigint as workers_hired,
    monthly.wages_baht::numeric(18, 2) as wages_baht,
    monthly.spend_baht::numeric(18, 2) as spend_baht,
    monthly.produce_value_baht::numeric(18, 2) as produce_value_baht
from monthly
{{ join_province_names('monthly.province_code') }}
{{ join_amphoe_names('monthly.amphoe_code') }}
left join plot_models on plot_models.code = monthly.plot_model_code
{{ join_dates('monthly.date_key') }}
