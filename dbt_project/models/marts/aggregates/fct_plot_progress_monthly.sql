-- Khok Nong Na plots per province × amphoe × month × plot model: plots reporting, the sum and count
-- of their progress (the mean's parts, so that cells add up), plots complete, area, workers hired,
-- wages, spend and value of produce. The aggregate behind bi.plot_progress_monthly, which grouped
-- every plot report of fct_plot_progress on each dashboard query (6.3 s at national scale,
-- bench/results). Rebuilt in full with its fact each night: one read of fct_plot_progress joined to
-- dim_plot and dim_area, about 2 s for 1.4 M reports on two cores (ten copies of the bench's 10 %
-- fact). About 17-21 k rows (amphoe × month × plot model), nationally as at a tenth of the scale.
-- Index: the national dashboard queries read every row (24 ms as bi_reader; no index helps them). A
-- provincial reader's row-level-security filter (province_code = any (...)) and a province's months
-- use it (EXPLAIN at bench scale 0.1: knn-plot-progress 4.8 -> 3.8 ms).
{{ config(indexes=[{'columns': ['province_code', 'date_key']}]) }}

with progress as (
    select * from {{ ref('fct_plot_progress') }}
),

plots as (
    select plot_key, plot_model_code, area_rai from {{ ref('dim_plot') }}
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
        count(progress.progress_pct) as plots_with_progress,
        sum(progress.progress_pct) as progress_pct_sum,
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
    province_code::text as province_code,
    amphoe_code::text as amphoe_code,
    date_key::date as date_key,
    plot_model_code::text as plot_model_code,
    plots_reporting::integer as plots_reporting,
    plots_with_progress::integer as plots_with_progress,
    progress_pct_sum::numeric(18, 2) as progress_pct_sum,
    plots_complete::integer as plots_complete,
    area_rai::numeric(18, 2) as area_rai,
    workers_hired::bigint as workers_hired,
    wages_baht::numeric(18, 2) as wages_baht,
    spend_baht::numeric(18, 2) as spend_baht,
    produce_value_baht::numeric(18, 2) as produce_value_baht
from monthly
