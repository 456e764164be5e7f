-- Khok Nong Na's seven activities per province × amphoe × month × activity × participant group:
-- people, wages, sites, certified produce and spend, with Thai-first names (the per-amphoe view
-- planners asked for). The rows are marts.fct_knn_activities's, already at this grain: this view
-- names the codes and the month.
with reports as (
    select * from {{ ref('fct_knn_activities') }}
),

activities as (
    select * from {{ ref('dim_knn_activity') }}
),

participant_groups as (
    select * from {{ ref('dim_participant_group') }}
)

select
    reports.province_code::text as province_code,
    {{ province_name_columns() }}
    reports.amphoe_code::text as amphoe_code,
    {{ amphoe_name_columns() }}
    {{ month_columns('reports.date_key') }}
    reports.activity_code::text as activity_code,
    activities.name_th::text as activity_th,
    activities.name_en::text as activity_en,
    reports.participant_group_code::text as participant_group_code,
    participant_groups.name_th::text as participant_group_th,
    participant_groups.name_en::text as participant_group_en,
    reports.people::integer as people,
    reports.wages_baht::numeric(18, 2) as wages_baht,
    reports.sites::integer as sites,
    reports.certified::integer as certified,
    reports.spend_baht::numeric(18, 2) as spend_baht
from reports
{{ join_province_names('reports.province_code') }}
{{ join_amphoe_names('reports.amphoe_code') }}
left join activities on activities.activity_code = reports.activity_code
left join participant_groups on participant_groups.participant_group_code = reports.participant_group_code
{{ join_dates('reports.date_key') }}
