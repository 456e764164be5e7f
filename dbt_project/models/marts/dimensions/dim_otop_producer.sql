-- OTOP producers as their province reports them (the id is the province's own, so the key is
-- province + id); type from the most recent sales row.
with sales as (
    select * from {{ ref('int_otop_sales_in_force') }}
),

producer_types as (
    select * from {{ ref('contract_code_lists') }} where code_list = 'producer_type'
),

latest as (
    select distinct on (province_code, producer_id)
        province_code,
        producer_id,
        producer_type_code,
        tambon_code
    from sales
    order by province_code asc, producer_id asc, sale_month desc, submission_id desc, source_row asc
),

seen as (
    select
        province_code,
        producer_id,
        min(sale_month) as first_sale_month,
        max(sale_month) as last_sale_month
    from sales
    group by province_code, producer_id
)

select
    md5(latest.province_code || '|' || latest.producer_id) as producer_key,
    latest.producer_id,
    latest.province_code,
    latest.tambon_code as area_key,
    latest.producer_type_code,
    producer_types.name_th as producer_type_th,
    producer_types.name_en as producer_type_en,
    seen.first_sale_month,
    seen.last_sale_month
from latest
inner join seen using (province_code, producer_id)
left join producer_types on producer_types.code = latest.producer_type_code
