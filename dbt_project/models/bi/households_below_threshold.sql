-- The household survey (จปฐ.) per amphoe × survey year × indicator set: households surveyed,
-- those below the income threshold of their survey year, the share, and the threshold used.
-- An amphoe's total over both indicator sets is the sum of its rows.
-- At national scale this reads every household row on each query (14 M rows): the amphoe is
-- taken from the tambon code (a DOPA tambon code begins with its amphoe's code) instead of a
-- join, and the mean is summed in floating point, which halved the time (bench/results).
with households as (
    select * from {{ ref('fct_bmn_household') }}
),

thresholds as (
    select * from {{ ref('bmn_income_thresholds') }}
),

counted as (
    select
        households.province_code,
        left(households.area_key, 4) as amphoe_code,
        households.survey_year_be,
        households.indicator_set,
        min(households.income_threshold_baht) as income_threshold_baht,
        count(*) as households,
        count(*) filter (where households.is_below_threshold) as households_below_threshold,
        sum(households.members) as people,
        sum(households.members) filter (where households.is_below_threshold) as people_below_threshold,
        avg(households.income_per_person_baht::float8) as mean_income_per_person_baht
    from households
    group by households.province_code, left(households.area_key, 4), households.survey_year_be, households.indicator_set
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
    coalesce(counted.people, 0)::integer as people,
    coalesce(counted.people_below_threshold, 0)::integer as people_below_threshold,
    round(counted.mean_income_per_person_baht::numeric, 2)::numeric(16, 2) as mean_income_per_person_baht
from counted
{{ join_province_names('counted.province_code') }}
{{ join_amphoe_names('counted.amphoe_code') }}
left join thresholds on thresholds.survey_year_be = counted.survey_year_be
