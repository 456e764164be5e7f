-- Khok Nong Na plots per province × amphoe × month × plot model: plots reporting, mean
-- progress, plots complete, workers hired, wages, spend and value of produce.
with progress as (
    select * from {{ ref('fct_plot_progress') }}
),

plots as (
    select plot_key, plot_model_code, plot_model_th, plot_model_en, area_rai from {{ ref('dim_plot') }}
),

areas as (
    select area_key, amphoe_code, amphoe_name_th, amphoe_name_en from {{ ref('dim_area') }}
),

provinces as (
    select * from {{ ref('provinces') }}
),

dates as (
    select * from {{ ref('dim_date') }}
),

monthly as (
    select
        progress.province_code,
        areas.amphoe_code,
        progress.date_key,
        plots.plot_model_code,
        min(areas.amphoe_name_th) as amphoe_name_th,
        min(areas.amphoe_name_en) as amphoe_name_en,
        min(plots.plot_model_th) as plot_model_th,
        min(plots.plot_model_en) as plot_model_en,
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
    provinces.province_name_th,
    provinces.province_name_en,
    provinces.region_th,
    provinces.region_en,
    monthly.amphoe_code::text as amphoe_code,
    monthly.amphoe_name_th::text as amphoe_name_th,
    monthly.amphoe_name_en::text as amphoe_name_en,
    monthly.date_key::date as month_start_date,
    dates.year_be::integer as year_be,
    dates.month::smallint as month,
    dates.month_name_th::text as month_name_th,
    dates.month_name_en::text as month_name_en,
    dates.fiscal_year_be::integer as fiscal_year_be,
    dates.fiscal_quarter::smallint as fiscal_quarter,
    dates.fiscal_quarter_label::text as fiscal_quarter_label,
    monthly.plot_model_code::text as plot_model_code,
    monthly.plot_model_th::text as plot_model_th,
    monthly.plot_model_en::text as plot_model_en,
    monthly.plots_reporting::integer as plots_reporting,
    round(monthly.mean_progress_pct, 2)::numeric(5, 2) as mean_progress_pct,
    monthly.plots_complete::integer as plots_complete,
    monthly.area_rai::numeric(18, 2) as area_rai,
    monthly.workers_hired::bigint as workers_hired,
    monthly.wages_baht::numeric(18, 2) as wages_baht,
    monthly.spend_baht::numeric(18, 2) as spend_baht,
    monthly.produce_value_baht::numeric(18, 2) as produce_value_baht
from monthly
left join provinces on provinces.province_code = monthly.province_code
left join dates on dates.date_key = monthly.date_key
