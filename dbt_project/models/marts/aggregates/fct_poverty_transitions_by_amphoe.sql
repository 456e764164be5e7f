-- Households followed from one survey year to the next, counted per province × amphoe × year pair ×
-- transition (lifted above, fell below, stayed below, stayed above the income threshold). The
-- aggregate behind bi.poverty_transitions, which grouped every household pair of
-- fct_poverty_transitions on each dashboard query (4.0 s at national scale, bench/results).
-- tools_comparable is false when the pair crosses from one จปฐ. tool to the next. Rebuilt in full
-- each night after fct_poverty_transitions: one read of it joined to dim_village, under 1 s for 1.3
-- M household pairs on two cores (ten copies of the bench's 10 % fact). A few thousand rows (amphoe
-- × year pair × transition).
-- Index: the national dashboard query reads every row (6 ms as bi_reader; no index helps it). A
-- provincial reader's row-level-security filter (province_code = any (...)) and a province's year
-- pairs use it (EXPLAIN at bench scale 0.1: poverty-transitions 2.2 -> 1.6 ms).
{{ config(indexes=[{'columns': ['province_code', 'to_survey_year_be']}]) }}

with transitions as (
    select * from {{ ref('fct_poverty_transitions') }}
),

villages as (
    select village_key, amphoe_code from {{ ref('dim_village') }}
),

counted as (
    select
        transitions.province_code,
        villages.amphoe_code,
        transitions.from_survey_year_be,
        transitions.to_survey_year_be,
        transitions.transition,
        bool_and(transitions.tools_comparable) as tools_comparable,
        count(*) as households
    from transitions
    left join villages on villages.village_key = transitions.village_key
    group by 1, 2, 3, 4, 5
)

select
    province_code::text as province_code,
    amphoe_code::text as amphoe_code,
    from_survey_year_be::integer as from_survey_year_be,
    to_survey_year_be::integer as to_survey_year_be,
    transition::text as transition,
    tools_comparable::boolean as tools_comparable,
    households::integer as households
from counted
