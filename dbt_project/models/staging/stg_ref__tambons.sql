with tambons as (
    select * from {{ source('ref', 'tambon') }}
),

amphoes as (
    select * from {{ source('ref', 'amphoe') }}
),

provinces as (
    select * from {{ source('ref', 'province') }}
)

select
    tambons.tambon_code::text as tambon_code,
    tambons.name_th as tambon_name_th,
    tambons.name_en as tambon_name_en,
    amphoes.amphoe_code::text as amphoe_code,
    amphoes.name_th as amphoe_name_th,
    amphoes.name_en as amphoe_name_en,
    provinces.province_code::text as province_code,
    provinces.name_th as province_name_th,
    provinces.name_en as province_name_en,
    provinces.in_cdd_network
from tambons
inner join amphoes using (amphoe_code)
inner join provinces on provinces.province_code = amphoes.province_code
