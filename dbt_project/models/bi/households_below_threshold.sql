-- The household survey (จปฐ.) per amphoe × survey year × indicator set: households surveyed,
-- those below the income threshold of their survey year, the share, and the threshold used.
-- An amphoe's total over both indicator sets is the sum of its rows.
-- Counted at build time (marts.fct_bmn_amphoe_summary): a query reads about a thousand rows,
-- not every household (14 M rows nationally).
with counted as (
    select * from {{ ref('fct_bmn_amphoe_summary') }}
),

thresholds as (
    select * from {{ ref('bmn_income_thresholds') }}
)

select
    counted.province_code::text as province_code,
    {{ province_name_columns() }}
    counted.amphoe_code::text as amphoe_code,
    {{ amphoe_name_columns() }}
    counted.survey_year_be::integer as survey_year_be,
    counted.indicator_set::text as indicator_set,
    counted.income_threshold_baht::numeric(16, 2) as income_threshold_baht,
    thresholds.threshold_verified::boolean as threshold_verified,
    counted.households::integer as households,
    counted.households_below_threshold::integer as households_below_threshold,
    round(100.0 * counted.households_below_threshold / nullif(counted.households, 0), 2)::numeric(5, 2)
        as share_below_threshold_pct,
    counted.people,
    counted.people_below_threshold,
    round(counted.income_per_person_sum_baht / nullif(counted.households_with_income, 0), 2)::numeric(16, 2)
        as mean_income_per_person_baht
from counted
{{ join_province_names('counted.province_code') }}
{{ join_amphoe_names('counted.amphoe_code') }}
left join thresholds on thresholds.survey_year_be = counted.survey_year_be
