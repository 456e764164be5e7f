-- OTOP sales: one row per producer × product × month × channel of the files in force.

{% set dataset = 'otop_sales' %}
{{ config(indexes=fact_indexes('otop_sale_key'), meta={'dataset': dataset}) }}

with sales as (
    select * from {{ ref('int_otop_sales_in_force') }}
    {{ only_new_revisions(dataset) }}
)

select
    md5(province_code || '|' || producer_id || '|' || product_id || '|' || sale_month || '|' || channel_code)
        as otop_sale_key,
    province_code,
    period,
    md5(province_code || '|' || producer_id) as producer_key,
    md5(province_code || '|' || product_id) as product_key,
    tambon_code as area_key,
    sale_month as date_key,
    channel_code,
    revenue_baht,
    units_sold,
    submission_id,
    revision,
    source_row,
    {{ built_at() }}
from sales
