with abolished_areas as (
    select * from {{ source('ref', 'abolished_area') }}
)

select
    area_code,
    level as area_level,
    name_th,
    name_en,
    abolished_on,
    successor_codes
from abolished_areas
