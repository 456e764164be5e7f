with provinces as (
    select * from {{ source('ref', 'province') }}
)

select
    province_code::text as province_code,
    name_th as province_name_th,
    name_en as province_name_en,
    in_cdd_network
from provinces
