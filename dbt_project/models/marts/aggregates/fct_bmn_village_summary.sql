-- One row per village × survey year × BMN item: households surveyed, passing and failing.
-- Items a household's indicator set does not have (32-38 in the 2560-64 tool) are not counted.
with households as (
    select * from {{ ref('fct_bmn_household') }}
),

items as (
    select
        households.village_key,
        households.province_code,
        households.survey_year_be,
        households.indicator_set,
        item.item_no,
        item.passed
    from households
    cross join lateral (values
        (1, indicator_01),
        (2, indicator_02),
        (3, indicator_03),
        (4, indicator_04),
        (5, indicator_05),
        (6, indicator_06),
        (7, indicator_07),
        (8, indicator_08),
        (9, indicator_09),
        (10, indicator_10),
        (11, indicator_11),
        (12, indicator_12),
        (13, indicator_13),
        (14, indicator_14),
        (15, indicator_15),
        (16, indicator_16),
        (17, indicator_17),
        (18, indicator_18),
        (19, indicator_19),
        (20, indicator_20),
        (21, indicator_21),
        (22, indicator_22),
        (23, indicator_23),
        (24, indicator_24),
        (25, indicator_25),
        (26, indicator_26),
        (27, indicator_27),
        (28, indicator_28),
        (29, indicator_29),
        (30, indicator_30),
        (31, indicator_31),
        (32, indicator_32),
        (33, indicator_33),
        (34, indicator_34),
        (35, indicator_35),
        (36, indicator_36),
        (37, indicator_37),
        (38, indicator_38)
    ) as item (item_no, passed)
    where item.passed is not null
)

select
    md5(village_key || '|' || survey_year_be || '|' || indicator_set || '|' || item_no) as village_item_key,
    village_key,
    province_code,
    survey_year_be,
    indicator_set,
    'BMN-' || lpad(item_no::text, 2, '0') || '@' || indicator_set as indicator_key,
    item_no::smallint as item_no,
    count(*)::integer as households_surveyed,
    (count(*) filter (where passed))::integer as households_passed,
    (count(*) filter (where not passed))::integer as households_failed
from items
group by village_key, province_code, survey_year_be, indicator_set, item_no
