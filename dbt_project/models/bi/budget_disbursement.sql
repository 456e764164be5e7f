-- Budget disbursement per province × unit (a district office, named by its amphoe, or the
-- provincial office) × month: allocated, committed, disbursed and returned baht, and the rates.
-- The numbers are marts.fct_budget_disbursement_monthly's, built each night.
with monthly as (
    select * from {{ ref('fct_budget_disbursement_monthly') }}
)

select
    monthly.province_code::text as province_code,
    {{ province_name_columns() }}
    monthly.unit_code::text as unit_code,
    monthly.amphoe_code::text as amphoe_code,
    (monthly.amphoe_code is null) as is_provincial_office,
    coalesce(
        'สำนักงานพัฒนาชุมชนอำเภอ' || amphoes.amphoe_name_th,
        'สำนักงานพัฒนาชุมชนจังหวัด' || provinces.province_name_th
    )::text as unit_name_th,
    coalesce(
        amphoes.amphoe_name_en || ' District Community Development Office',
        provinces.province_name_en || ' Provincial Community Development Office'
    )::text as unit_name_en,
    {{ amphoe_name_columns() }}
    {{ month_columns('monthly.date_key') }}
    monthly.projects::integer as projects,
    monthly.allocated_baht::numeric(18, 2) as allocated_baht,
    monthly.committed_baht::numeric(18, 2) as committed_baht,
    monthly.disbursed_baht::numeric(18, 2) as disbursed_baht,
    monthly.returned_baht::numeric(18, 2) as returned_baht,
    round(100 * monthly.disbursed_baht / nullif(monthly.allocated_baht, 0), 2)::numeric(9, 2) as disbursed_pct,
    round(100 * monthly.committed_baht / nullif(monthly.allocated_baht, 0), 2)::numeric(9, 2) as committed_pct
from monthly
{{ join_province_names('monthly.province_code') }}
{{ join_amphoe_names('monthly.amphoe_code') }}
{{ join_dates('monthly.date_key') }}
