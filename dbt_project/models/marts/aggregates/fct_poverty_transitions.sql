-- Households followed from one survey year to the next: lifted above the income threshold,
-- fell below it, stayed below or stayed above. Each year is judged against its own threshold
-- (seed bmn_income_thresholds). A pair that crosses from one จปฐ. tool to the next (2565 to
-- 2566: 31 to 38 items) is kept, since both tools ask the household's income per person, but
-- flagged tools_comparable = false: its item counts and categories do not compare.
-- Both surveys of a household are in one province (a DOPA house id begins with its
-- registration office's province and amphoe), so pairs are looked for within a province, and
-- the table is rebuilt one province at a time (macros/province_increments.sql).
{{ rebuilt_by_province('bmn_households', key=['transition_key']) }}

with households as (
    select
        province_code,
        household_key,
        village_key,
        survey_year_be,
        indicator_set,
        income_per_person_baht,
        income_threshold_baht,
        is_below_threshold
    from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

-- Each survey beside the household's survey before it: one sort of the households, about 3x
-- faster than joining the table to itself.
with_previous as (
    select
        *,
        lag(survey_year_be) over household_years as previous_survey_year_be,
        lag(indicator_set) over household_years as previous_indicator_set,
        lag(income_per_person_baht) over household_years as previous_income_per_person_baht,
        lag(income_threshold_baht) over household_years as previous_threshold_baht,
        lag(is_below_threshold) over household_years as was_below
    from households
    window household_years as (partition by province_code, household_key order by survey_year_be)
),

pairs as (
    select
        with_previous.household_key,
        with_previous.province_code,
        with_previous.village_key,
        with_previous.previous_survey_year_be as from_survey_year_be,
        with_previous.survey_year_be as to_survey_year_be,
        with_previous.previous_indicator_set as from_indicator_set,
        with_previous.indicator_set as to_indicator_set,
        with_previous.previous_income_per_person_baht as from_income_per_person_baht,
        with_previous.income_per_person_baht as to_income_per_person_baht,
        with_previous.previous_threshold_baht as from_threshold_baht,
        with_previous.income_threshold_baht as to_threshold_baht,
        with_previous.was_below,
        with_previous.is_below_threshold as is_below,
        with_previous.previous_indicator_set = with_previous.indicator_set as tools_comparable,
        versions.source_version
    from with_previous
    inner join versions on versions.province_code = with_previous.province_code
    where with_previous.previous_survey_year_be = with_previous.survey_year_be - 1
)

select
    md5(household_key || '|' || from_survey_year_be || '|' || to_survey_year_be) as transition_key,
    *,
    case
        when was_below and not is_below then 'lifted_above'
        when not was_below and is_below then 'fell_below'
        when was_below and is_below then 'stayed_below'
        else 'stayed_above'
    end as transition
from pairs
