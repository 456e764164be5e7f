-- Each scorecard indicator's numerator and denominator per province and fiscal quarter, twice:
-- from the quarter's own data and from the fiscal year up to the quarter's end (1 October
-- onwards); the scorecard takes the one its seed declares (indicator_definitions.period_type).
-- The value is numerator / denominator × value_multiplier; a count or an amount has no
-- denominator. From the facts, so the scorecard reconciles with them.
-- A province has a row for a quarter only when it delivered data for that quarter (0 when it had
-- nothing of a kind): a fiscal-year-to-date value is not carried into a quarter without data.
-- Each source's measures are a model of their own that reads only its fact, so a night rebuilds
-- only the measures of the datasets that got files (and the on-time measure, every night); this
-- model only puts them together, naming the columns of each (a union matches them by position).
{%- set measure_columns -%}
    province_code, fiscal_year_be, fiscal_quarter, indicator_code,
    numerator, denominator, fy_to_date_numerator, fy_to_date_denominator
{%- endset %}

with activity_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_activity_measures') }}
),

otop_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_otop_measures') }}
),

plot_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_plot_measures') }}
),

budget_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_budget_measures') }}
),

delivery_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_delivery_measures') }}
),

knn_activity_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_knn_activity_measures') }}
),

smart_tambon_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_smart_tambon_measures') }}
),

pracharath_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_pracharath_measures') }}
),

otop_rating_measures as (
    select {{ measure_columns }} from {{ ref('int_scorecard_otop_rating_measures') }}
),

-- G2-ABOVE-INCOME: distinct households, counted one province at a time (its source_version,
-- which only that model needs, left out).
household_measures as (
    select {{ measure_columns }} from {{ ref('int_bmn_households_by_quarter') }}
),

measures as (
    select * from activity_measures
    union all
    select * from otop_measures
    union all
    select * from plot_measures
    union all
    select * from budget_measures
    union all
    select * from delivery_measures
    union all
    select * from household_measures
    union all
    select * from knn_activity_measures
    union all
    select * from smart_tambon_measures
    union all
    select * from pracharath_measures
    union all
    select * from otop_rating_measures
)

select * from measures
