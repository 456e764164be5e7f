with tambons as (
    select * from {{ source('ref', 'tambon') }}
)

select
    tambon_code::text as tambon_code,
    name_th as tambon_name_th,
    name_en as tambon_name_en,
    amphoe_code::text as amphoe_code,
    province_code::text as province_code
from tambons
