with amphoes as (
    select * from {{ source('ref', 'amphoe') }}
)

select
    amphoe_code::text as amphoe_code,
    name_th as amphoe_name_th,
    name_en as amphoe_name_en,
    province_code::text as province_code
from amphoes
