-- Households followed from one survey year to the next: lifted above the income threshold,
-- fell below it, stayed below or stayed above. Each year is judged against its own threshold
-- (seed bmn_income_thresholds). A pair that crosses from one จปฐ. tool to the next (2565 to
-- 2566: 31 to 38 items) is kept, since both tools ask the household's income per person, but
-- flagged tools_comparable = false: its item counts and categories do not compare.
-- Both surveys of a household are in one province (a DOPA house id begins with its
-- registration office's province and amphoe), so pairs are looked for within a province, and
-- the table is rebuilt one province at a time (macros/province_increments.sql).
{{ rebuilt_by_province('bmn_households') }}

with households as (
    select * from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

pairs as (
    select
        later.household_key,
        later.province_code,
        later.village_key,
        earlier.survey_year_be as from_survey_year_be,
        later.survey_year_be as to_survey_year_be,
        earlier.indicator_set as from_indicator_set,
        later.indicator_set as to_indicator_set,
        earlier.income_per_person_baht as from_income_per_person_baht,
        later.income_per_person_baht as to_income_per_person_baht,
        earlier.income_threshold_baht as from_threshold_baht,
        later.income_threshold_baht as to_threshold_baht,
        earlier.is_below_threshold as was_below,
        later.is_below_threshold as is_below,
        earlier.indicator_set = later.indicator_set as tools_comparable,
        versions.source_version
    from households as later
    inner join households as earlier
        on earlier.province_code = later.province_code
        and earlier.household_key = later.household_key
        and earlier.survey_year_be = later.survey_year_be - 1
    inner join versions on versions.province_code = later.province_code
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
