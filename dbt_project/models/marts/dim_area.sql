-- One row per tambon (sub-district) with its amphoe and province. Bangkok is kept, flagged
-- outside the CDD network, because OTOP results cover it.
with tambons as (
    select * from {{ ref('stg_ref__tambons') }}
)

select
    tambon_code as area_key,
    tambon_code,
    tambon_name_th,
    tambon_name_en,
    amphoe_code,
    amphoe_name_th,
    amphoe_name_en,
    province_code,
    province_name_th,
    province_name_en,
    'TH-' || province_code as province_iso_code,
    in_cdd_network
from tambons
