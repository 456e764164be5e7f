-- The five-gear scorecard: every CDD province × fiscal quarter × indicator (each indicator
-- belongs to one gear), with its value over the period its seed declares (the quarter, or the
-- fiscal year to the quarter's end), the target planners set for that period (seed
-- indicator_targets: annual, or per quarter; a province's own target wins over the national
-- one), attainment, national rank and change from the previous quarter. A province without data
-- for an indicator that quarter keeps its row, with no value and no rank. A quarter nobody
-- delivered anything for has no rows. Bangkok (not in the CDD network) is left out.
with measures as (
    select * from {{ ref('int_scorecard_measures_by_quarter') }}
),

indicators as (
    select * from {{ ref('indicator_definitions') }}
),

targets as (
    select * from {{ ref('indicator_targets') }}
),

provinces as (
    select province_code from {{ ref('stg_ref__provinces') }} where in_cdd_network
),

quarters as (
    select
        fiscal_year_be,
        fiscal_quarter,
        min(fiscal_quarter_label) as fiscal_quarter_label,
        min(date_day) as quarter_start
    from {{ ref('stg_ref__calendar') }}
    group by fiscal_year_be, fiscal_quarter
),

measured_quarters as (
    select quarters.*
    from quarters
    where
        exists (
            select 1 from measures
            where measures.fiscal_year_be = quarters.fiscal_year_be
                and measures.fiscal_quarter = quarters.fiscal_quarter
        )
),

spine as (
    select
        provinces.province_code,
        measured_quarters.fiscal_year_be,
        measured_quarters.fiscal_quarter,
        measured_quarters.fiscal_quarter_label,
        measured_quarters.quarter_start,
        indicators.indicator_code,
        indicators.indicator_set_version,
        indicators.gear_code::smallint as gear_code,
        indicators.direction,
        indicators.value_multiplier,
        indicators.period_type,
        indicators.target_period,
        indicators.counting_unit,
        indicators.unit,
        indicators.unit_th
    from provinces
    cross join measured_quarters
    cross join indicators
),

of_period as (
    select
        spine.*,
        case
            when spine.period_type = 'fy_to_date' then measures.fy_to_date_numerator else measures.numerator
        end as numerator,
        case
            when spine.period_type = 'fy_to_date' then measures.fy_to_date_denominator else measures.denominator
        end as denominator
    from spine
    left join measures using (province_code, fiscal_year_be, fiscal_quarter, indicator_code)
),

valued as (
    select
        of_period.*,
        {{ indicator_value('of_period.numerator', 'of_period.denominator', 'of_period.value_multiplier') }}
            as indicator_value
    from of_period
),

targeted as (
    select
        valued.*,
        coalesce(own_target.target, national_target.target)::numeric as target
    from valued
    left join targets as own_target
        on {{ target_applies('own_target', 'valued') }}
        and own_target.province_code = valued.province_code
    left join targets as national_target
        on {{ target_applies('national_target', 'valued') }}
        and national_target.province_code is null
),

ranked as (
    select
        targeted.*,
        {{ attainment('targeted.indicator_value', 'targeted.target', 'targeted.direction') }} as attainment,
        case
            when targeted.indicator_value is not null
                then rank() over (
                        partition by
                            targeted.indicator_code,
                            targeted.fiscal_year_be,
                            targeted.fiscal_quarter,
                            targeted.indicator_value is null
                        order by
                            case
                                when targeted.direction = 'lower_is_better' then targeted.indicator_value
                                else -targeted.indicator_value
                            end
                    )
        end as national_rank,
        count(targeted.indicator_value) over (
            partition by targeted.indicator_code, targeted.fiscal_year_be, targeted.fiscal_quarter
        ) as provinces_ranked
    from targeted
),

with_previous as (
    select
        ranked.*,
        previous.indicator_value as previous_quarter_value
    from ranked
    left join ranked as previous
        on previous.province_code = ranked.province_code
        and previous.indicator_code = ranked.indicator_code
        and {{ is_comparable_previous_quarter('previous', 'ranked') }}
)

select
    md5(province_code || '|' || fiscal_year_be || '|' || fiscal_quarter || '|' || indicator_code) as scorecard_key,
    province_code,
    fiscal_year_be,
    fiscal_quarter,
    fiscal_quarter_label,
    quarter_start as quarter_start_date,
    gear_code,
    indicator_code,
    indicator_code || '@' || indicator_set_version as indicator_key,
    numerator,
    denominator,
    indicator_value,
    target,
    attainment,
    national_rank::integer as national_rank,
    provinces_ranked::integer as provinces_ranked,
    previous_quarter_value,
    indicator_value - previous_quarter_value as change_from_previous_quarter,
    indicator_value is not null as has_data,
    period_type,
    target_period,
    counting_unit,
    unit,
    unit_th
from with_previous
