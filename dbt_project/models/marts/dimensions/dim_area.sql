-- One row per tambon (sub-district) with its amphoe, province and region. Tambons DOPA has
-- abolished are kept (is_current false, valid_to = the abolition date, successors listed) so
-- older records still find their area. Bangkok is kept, flagged outside the CDD network,
-- because OTOP results cover it.
with tambons as (
    select * from {{ ref('stg_ref__tambons') }}
),

amphoes_in_use as (
    select * from {{ ref('stg_ref__amphoes') }}
),

abolished as (
    select * from {{ ref('stg_ref__abolished_areas') }}
),

provinces as (
    select * from {{ ref('stg_ref__provinces') }}
),

amphoes as (
    select amphoe_code, amphoe_name_th as name_th, amphoe_name_en as name_en from amphoes_in_use
    union all
    select area_code, name_th, name_en from abolished where area_level = 'district'
),

regions as (
    select * from {{ ref('province_regions') }}
),

current_tambons as (
    select
        tambons.tambon_code,
        tambons.tambon_name_th,
        tambons.tambon_name_en,
        tambons.amphoe_code,
        amphoes_in_use.province_code,
        true as is_current,
        null::date as valid_from,
        date '9999-12-31' as valid_to,
        null::text as successor_tambon_codes
    from tambons
    inner join amphoes_in_use using (amphoe_code)
),

abolished_tambons as (
    select
        area_code as tambon_code,
        name_th as tambon_name_th,
        name_en as tambon_name_en,
        left(area_code, 4) as amphoe_code,
        left(area_code, 2) as province_code,
        false as is_current,
        null::date as valid_from,
        abolished_on as valid_to,
        array_to_string(successor_codes, ',') as successor_tambon_codes
    from abolished
    where area_level = 'subdistrict'
),

all_tambons as (
    select * from current_tambons
    union all
    select * from abolished_tambons
)

select
    all_tambons.tambon_code as area_key,
    all_tambons.tambon_code,
    all_tambons.tambon_name_th,
    all_tambons.tambon_name_en,
    all_tambons.amphoe_code,
    amphoes.name_th as amphoe_name_th,
    amphoes.name_en as amphoe_name_en,
    all_tambons.province_code,
    provinces.province_name_th,
    provinces.province_name_en,
    'TH-' || all_tambons.province_code as province_iso_code,
    six.region_code,
    six.region_th,
    six.region_en,
    four.region_code as region4_code,
    four.region_th as region4_th,
    four.region_en as region4_en,
    provinces.in_cdd_network,
    all_tambons.is_current,
    all_tambons.valid_from,
    all_tambons.valid_to,
    all_tambons.successor_tambon_codes
from all_tambons
inner join provinces using (province_code)
left join amphoes using (amphoe_code)
left join regions as six
    on six.province_code = all_tambons.province_code and six.region_scheme = 'royal_institute_6'
left join regions as four
    on four.province_code = all_tambons.province_code and four.region_scheme = 'nesdc_4_and_bangkok'
