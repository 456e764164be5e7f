-- Khok Nong Na plots per province × amphoe × month × plot model: plots reporting, mean
-- progress, plots complete, workers hired, wages, spend and value of produce. Grouped by codes
-- only, names joined afterwards (text aggregates made the grouping spill to disk at national scale).
with progress as (
    select * from {{ ref('fct_plot_progress') }}
),

plots as (
    select plot_key, plot_model_code, area_rai from {{ ref('dim_plot') }}
),

plot_models as (
    select code, name_th, name_en from {{ ref('contract_code_lists') }} where code_list = 'plot_model'
),

areas as (
    select area_key, amphoe_code from {{ ref('dim_area') }}
),

monthly as (
    select
        progress.province_code,
        areas.amphoe_code,
        progress.date_key,
        plots.plot_model_code,
        count(*) as plots_reporting,
        avg(progress.progress_pct) as mean_progress_pct,
        count(*) filter (where progress.progress_pct >= 100) as plots_complete,
        sum(plots.area_rai) as area_rai,
        sum(progress.workers_hired) as workers_hired,
        sum(progress.wages_baht) as wages_baht,
        sum(progress.spend_baht) as spend_baht,
        sum(progress.produce_value_baht) as produce_value_baht
    from progress
    left join plots on plots.plot_key = progress.plot_key
    left join areas on areas.area_key = progress.area_key
    group by progress.province_code, areas.amphoe_code, progress.date_key, plots.plot_model_code
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
    round(monthly.mean_progress_pct, 2)::numeric(5, 2) as mean_progress_pct,
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
