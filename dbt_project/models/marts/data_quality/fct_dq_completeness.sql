-- The completeness matrix: every CDD province × dataset × night, from the first night anything
-- arrived to the last: on_time, late, rejected (all that night's files rejected) or missing.
with provinces as (
    select province_code from {{ ref('stg_ref__provinces') }} where in_cdd_network
),

datasets as (
    select dataset from {{ ref('contract_datasets') }}
),

submissions as (
    select * from {{ ref('stg_ops__submissions') }}
),

nights as (
    select date_day as delivery_night
    from {{ ref('stg_ref__calendar') }}
    where date_day between (select min(delivery_night) from submissions)
        and (select max(delivery_night) from submissions)
),

delivered as (
    select
        province_code,
        dataset,
        delivery_night,
        count(*) as files,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'rejected') as files_rejected,
        bool_and(is_late) as all_late
    from submissions
    group by province_code, dataset, delivery_night
),

matrix as (
    select
        provinces.province_code,
        datasets.dataset,
        nights.delivery_night,
        coalesce(delivered.files, 0) as files,
        coalesce(delivered.files_loaded, 0) as files_loaded,
        coalesce(delivered.files_rejected, 0) as files_rejected,
        case
            when delivered.files is null then 'missing'
            when delivered.files_loaded = 0 and delivered.files_rejected > 0 then 'rejected'
            when delivered.all_late then 'late'
            else 'on_time'
        end as delivery_status
    from provinces
    cross join datasets
    cross join nights
    left join delivered
        on delivered.province_code = provinces.province_code
        and delivered.dataset = datasets.dataset
        and delivered.delivery_night = nights.delivery_night
)

select * from matrix
