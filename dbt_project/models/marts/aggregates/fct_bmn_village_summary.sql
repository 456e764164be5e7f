-- One row per village × survey year × BMN item: households surveyed, passing and failing.
-- Items a household's indicator set does not have (32-38 in the 2560-64 tool) are not counted.
-- One pass over the households counts all 38 items, then the small per-village result is turned
-- into rows: unpivoting first would mean 38 rows per household (minutes at 12.8 M households).
-- Rebuilt one province at a time (macros/province_increments.sql): a night with one province's
-- survey file recounts that province only.
{{ rebuilt_by_province('bmn_households') }}

with households as (
    select * from {{ ref('fct_bmn_household') }}
    {{ only_outdated_provinces('bmn_households') }}
),

versions as (
    {{ province_versions('bmn_households') }}
),

per_village as (
    select
        village_key,
        province_code,
        survey_year_be,
        indicator_set,
        count(indicator_01) as assessed_01,
        count(*) filter (where indicator_01) as passed_01,
        count(indicator_02) as assessed_02,
        count(*) filter (where indicator_02) as passed_02,
        count(indicator_03) as assessed_03,
        count(*) filter (where indicator_03) as passed_03,
        count(indicator_04) as assessed_04,
        count(*) filter (where indicator_04) as passed_04,
        count(indicator_05) as assessed_05,
        count(*) filter (where indicator_05) as passed_05,
        count(indicator_06) as assessed_06,
        count(*) filter (where indicator_06) as passed_06,
        count(indicator_07) as assessed_07,
        count(*) filter (where indicator_07) as passed_07,
        count(indicator_08) as assessed_08,
        count(*) filter (where indicator_08) as passed_08,
        count(indicator_09) as assessed_09,
        count(*) filter (where indicator_09) as passed_09,
        count(indicator_10) as assessed_10,
        count(*) filter (where indicator_10) as passed_10,
        count(indicator_11) as assessed_11,
        count(*) filter (where indicator_11) as passed_11,
        count(indicator_12) as assessed_12,
        count(*) filter (where indicator_12) as passed_12,
        count(indicator_13) as assessed_13,
        count(*) filter (where indicator_13) as passed_13,
        count(indicator_14) as assessed_14,
        count(*) filter (where indicator_14) as passed_14,
        count(indicator_15) as assessed_15,
        count(*) filter (where indicator_15) as passed_15,
        count(indicator_16) as assessed_16,
        count(*) filter (where indicator_16) as passed_16,
        count(indicator_17) as assessed_17,
        count(*) filter (where indicator_17) as passed_17,
        count(indicator_18) as assessed_18,
        count(*) filter (where indicator_18) as passed_18,
        count(indicator_19) as assessed_19,
        count(*) filter (where indicator_19) as passed_19,
        count(indicator_20) as assessed_20,
        count(*) filter (where indicator_20) as passed_20,
        count(indicator_21) as assessed_21,
        count(*) filter (where indicator_21) as passed_21,
        count(indicator_22) as assessed_22,
        count(*) filter (where indicator_22) as passed_22,
        count(indicator_23) as assessed_23,
        count(*) filter (where indicator_23) as passed_23,
        count(indicator_24) as assessed_24,
        count(*) filter (where indicator_24) as passed_24,
        count(indicator_25) as assessed_25,
        count(*) filter (where indicator_25) as passed_25,
        count(indicator_26) as assessed_26,
        count(*) filter (where indicator_26) as passed_26,
        count(indicator_27) as assessed_27,
        count(*) filter (where indicator_27) as passed_27,
        count(indicator_28) as assessed_28,
        count(*) filter (where indicator_28) as passed_28,
        count(indicator_29) as assessed_29,
        count(*) filter (where indicator_29) as passed_29,
        count(indicator_30) as assessed_30,
        count(*) filter (where indicator_30) as passed_30,
        count(indicator_31) as assessed_31,
        count(*) filter (where indicator_31) as passed_31,
        count(indicator_32) as assessed_32,
        count(*) filter (where indicator_32) as passed_32,
        count(indicator_33) as assessed_33,
        count(*) filter (where indicator_33) as passed_33,
        count(indicator_34) as assessed_34,
        count(*) filter (where indicator_34) as passed_34,
        count(indicator_35) as assessed_35,
        count(*) filter (where indicator_35) as passed_35,
        count(indicator_36) as assessed_36,
        count(*) filter (where indicator_36) as passed_36,
        count(indicator_37) as assessed_37,
        count(*) filter (where indicator_37) as passed_37,
        count(indicator_38) as assessed_38,
        count(*) filter (where indicator_38) as passed_38
    from households
    group by village_key, province_code, survey_year_be, indicator_set
),

items as (
    select
        per_village.village_key,
        per_village.province_code,
        per_village.survey_year_be,
        per_village.indicator_set,
        item.item_no,
        item.assessed,
        item.passed,
        versions.source_version
    from per_village
    inner join versions on versions.province_code = per_village.province_code
    -- noqa: disable=LT02
    cross join lateral (values
        (1, assessed_01, passed_01),
        (2, assessed_02, passed_02),
        (3, assessed_03, passed_03),
        (4, assessed_04, passed_04),
        (5, assessed_05, passed_05),
        (6, assessed_06, passed_06),
        (7, assessed_07, passed_07),
        (8, assessed_08, passed_08),
        (9, assessed_09, passed_09),
        (10, assessed_10, passed_10),
        (11, assessed_11, passed_11),
        (12, assessed_12, passed_12),
        (13, assessed_13, passed_13),
        (14, assessed_14, passed_14),
        (15, assessed_15, passed_15),
        (16, assessed_16, passed_16),
        (17, assessed_17, passed_17),
        (18, assessed_18, passed_18),
        (19, assessed_19, passed_19),
        (20, assessed_20, passed_20),
        (21, assessed_21, passed_21),
        (22, assessed_22, passed_22),
        (23, assessed_23, passed_23),
        (24, assessed_24, passed_24),
        (25, assessed_25, passed_25),
        (26, assessed_26, passed_26),
        (27, assessed_27, passed_27),
        (28, assessed_28, passed_28),
        (29, assessed_29, passed_29),
        (30, assessed_30, passed_30),
        (31, assessed_31, passed_31),
        (32, assessed_32, passed_32),
        (33, assessed_33, passed_33),
        (34, assessed_34, passed_34),
        (35, assessed_35, passed_35),
        (36, assessed_36, passed_36),
        (37, assessed_37, passed_37),
        (38, assessed_38, passed_38)
    ) as item (item_no, assessed, passed)
    -- noqa: enable=LT02
    where item.assessed > 0
)

select
    md5(village_key || '|' || survey_year_be || '|' || indicator_set || '|' || item_no) as village_item_key,
    village_key,
    province_code,
    survey_year_be,
    indicator_set,
    'BMN-' || lpad(item_no::text, 2, '0') || '@' || indicator_set as indicator_key,
    item_no::smallint as item_no,
    assessed::integer as households_surveyed,
    passed::integer as households_passed,
    (assessed - passed)::integer as households_failed,
    source_version
from items
