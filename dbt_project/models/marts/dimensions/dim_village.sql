-- Villages (หมู่บ้าน) known from the household survey: DOPA publishes no village list with
-- codes, so a village exists here once a survey row names it. Code = tambon code + หมู่ที่.
-- Read from the village counts (one row per village and survey year, 0.5 M rows nationally),
-- not from every household in force (14 M rows: 15 s on each survey night).
with households as (
    select village_key as village_code, left(village_key, 6) as tambon_code
    from {{ ref('fct_bmn_village_item_counts') }}
),

areas as (
    select * from {{ ref('dim_area') }}
),

villages as (
    select village_code, min(tambon_code) as tambon_code
    from households
    group by village_code
)

select
    villages.village_code as village_key,
    villages.village_code,
    right(villages.village_code, 2)::smallint as village_no,
    'หมู่ที่ ' || right(villages.village_code, 2)::smallint as village_label_th,
    'Moo ' || right(villages.village_code, 2)::smallint as village_label_en,
    villages.tambon_code as area_key,
    areas.amphoe_code,
    areas.province_code
from villages
inner join areas on areas.area_key = villages.tambon_code
