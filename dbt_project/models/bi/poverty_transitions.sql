-- Households followed from one survey year to the next, per amphoe: how many were lifted above
-- the income threshold, fell below it, stayed below or stayed above, with Thai and English labels.
-- tools_comparable is false for a year pair that crosses from one จปฐ. tool to the next. The counts
-- are marts.fct_poverty_transitions_by_amphoe's, built each night.
with counted as (
    select * from {{ ref('fct_poverty_transitions_by_amphoe') }}
),

labels as (
    select * from (
        values
        ('lifted_above', 1, 'พ้นเกณฑ์รายได้', 'Lifted above the threshold'),
        ('fell_below', 2, 'ตกเกณฑ์รายได้', 'Fell below the threshold'),
        ('stayed_below', 3, 'ต่ำกว่าเกณฑ์ต่อเนื่อง', 'Stayed below the threshold'),
        ('stayed_above', 4, 'ผ่านเกณฑ์ต่อเนื่อง', 'Stayed above the threshold')
    ) as labels (transition, sort_order, transition_th, transition_en)
)

select
    counted.province_code::text as province_code,
    {{ province_name_columns() }}
    counted.amphoe_code::text as amphoe_code,
    {{ amphoe_name_columns() }}
    counted.from_survey_year_be::integer as from_survey_year_be,
    counted.to_survey_year_be::integer as to_survey_year_be,
    counted.transition::text as transition,
    labels.sort_order::integer as transition_order,
    labels.transition_th::text as transition_th,
    labels.transition_en::text as transition_en,
    counted.households::integer as households,
    counted.tools_comparable::boolean as tools_comparable,
    round(
        100.0 * counted.households
        / nullif(sum(counted.households) over (
            partition by counted.province_code, counted.amphoe_code, counted.from_survey_year_be, counted.to_survey_year_be
        ), 0),
        2
    )::numeric(5, 2) as share_of_amphoe_pct
from counted
{{ join_province_names('counted.province_code') }}
{{ join_amphoe_names('counted.amphoe_code') }}
left join labels on labels.transition = counted.transition
