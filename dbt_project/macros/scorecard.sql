-- sqlfluff:exclude_rules:LT02,ST06,ST07,ST09,LT09,LT14,RF02,AL03
-- (layout is not linted in macro definitions: sqlfluff indents the Jinja blocks, not the SQL they render)
{#- How far a value is towards its target (1 = met). For an indicator where lower is better
    the ratio is turned around. No target, a zero target or no value: unknown. -#}
{% macro attainment(value, target, direction) %}
    case
        when {{ value }} is null or {{ target }} is null or {{ target }} = 0 then null
        when {{ direction }} = 'lower_is_better' then round({{ target }} / nullif({{ value }}, 0), 4)
        else round({{ value }} / {{ target }}, 4)
    end
{% endmacro %}

{#- Join condition: `previous` is the fiscal quarter before `current` (Q1, Oct-Dec, follows
    Q4 of the fiscal year before). -#}
{% macro is_previous_fiscal_quarter(previous, current) %}
    {{ previous }}.fiscal_year_be = {{ current }}.fiscal_year_be - ({{ current }}.fiscal_quarter = 1)::int
    and {{ previous }}.fiscal_quarter
        = case when {{ current }}.fiscal_quarter = 1 then 4 else {{ current }}.fiscal_quarter - 1 end
{% endmacro %}

{#- An indicator's value: numerator over denominator, or the numerator itself for a count or an
    amount (no denominator), times the multiplier (100 for a percentage). -#}
{% macro indicator_value(numerator, denominator, multiplier) %}
    round(
        case
            when {{ denominator }} is null then {{ numerator }}
            else {{ numerator }} / nullif({{ denominator }}, 0)
        end * {{ multiplier }},
        4
    )
{% endmacro %}

{#- Join condition: the `target` row of indicator_targets is the one for the `row`'s quarter: an
    annual target has no fiscal_quarter, a quarterly one names the quarter (the row's
    target_period, seed indicator_definitions, says which is meant). -#}
{% macro target_applies(target, row) %}
    {{ target }}.indicator_code = {{ row }}.indicator_code
    and {{ target }}.fiscal_year_be = {{ row }}.fiscal_year_be
    and {{ target }}.fiscal_quarter is not distinct from
        case when {{ row }}.target_period = 'quarterly' then {{ row }}.fiscal_quarter end
{% endmacro %}

{#- Join condition for the quarter before (is_previous_fiscal_quarter), except that a
    fiscal-year-to-date value starts again on 1 October: its Q1 has no quarter before. -#}
{% macro is_comparable_previous_quarter(previous, current) %}
    {{ is_previous_fiscal_quarter(previous, current) }}
    and ({{ current }}.period_type = 'within_quarter' or {{ previous }}.fiscal_year_be = {{ current }}.fiscal_year_be)
{% endmacro %}

{#- The measures of `measures` (one row per province × fiscal quarter × indicator, with its
    numerator and denominator) with their fiscal year to date: for measures that add up over
    quarters (counts, amounts, sums and their report counts), the sums of the fiscal year's
    quarters from Q1 (1 October) to this one. Not for budget standings or distinct households,
    which do not add up (int_scorecard_budget_measures, int_bmn_households_by_quarter). -#}
{% macro summed_fiscal_year_to_date(measures) %}
    select
        {{ measures }}.*,
        sum({{ measures }}.numerator) over fiscal_year_so_far as fy_to_date_numerator,
        sum({{ measures }}.denominator) over fiscal_year_so_far as fy_to_date_denominator
    from {{ measures }}
    window fiscal_year_so_far as (partition by province_code, fiscal_year_be, indicator_code order by fiscal_quarter)
{% endmacro %}
