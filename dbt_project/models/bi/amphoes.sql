-- The amphoe (districts), for BI filters: names, province and region. Amphoe DOPA abolished
-- are kept (is_current false) so older rows still find their names.
with areas as (
    select * from {{ ref('dim_area') }}
)

select
    amphoe_code::text as amphoe_code,
    min(amphoe_name_th)::text as amphoe_name_th,
    min(amphoe_name_en)::text as amphoe_name_en,
    min(province_code)::text as province_code,
    min(province_name_th)::text as province_name_th,
    min(province_name_en)::text as province_name_en,
    min(region_th)::text as region_th,
    min(region_en)::text as region_en,
    bool_or(is_current) as is_current,
    (count(*) filter (where is_current))::integer as tambons
from areas
group by amphoe_code
