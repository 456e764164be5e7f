-- The provinces, for BI filters and maps: DOPA and ISO codes, Thai and English names, region in
-- both schemes, and how many amphoe and tambons each has today.
with areas as (
    select * from {{ ref('dim_area') }}
)

select
    province_code::text as province_code,
    min(province_iso_code)::text as province_iso_code,
    min(province_name_th)::text as province_name_th,
    min(province_name_en)::text as province_name_en,
    min(region_code)::text as region_code,
    min(region_th)::text as region_th,
    min(region_en)::text as region_en,
    min(region4_code)::text as region4_code,
    min(region4_th)::text as region4_th,
    min(region4_en)::text as region4_en,
    bool_or(in_cdd_network) as in_cdd_network,
    (count(distinct amphoe_code) filter (where is_current))::integer as amphoes,
    (count(*) filter (where is_current))::integer as tambons
from areas
group by province_code
