-- One row per unusual check of a loaded file (thanrak.observe's dq.anomaly), with the file's slot
-- and the check, its direction, level and baseline named in Thai and English: what bi.dq_anomalies
-- shows. The words are thanrak.observe.words' (the report's and the alerts'), through the seed
-- observe_words: a check's label is its measure's and the column's header as the contract names it
-- ("ยอดรวม: ยอดจำหน่าย (บาท)" / "Total: Revenue (baht)"); tests/dbt/test_dq_anomaly_marts.py checks
-- that they agree.
-- history_metric is the measure whose history fct_dq_slot_metrics holds: the check's own, or for a
-- code shift the share of the code that moved most.
with anomalies as (
    select * from {{ ref('stg_dq__anomalies') }}
),

submissions as (
    select * from {{ ref('stg_ops__submissions') }}
),

submissions_in_force as (
    select submission_id from {{ ref('int_submissions_in_force') }}
),

contract_columns as (
    select * from {{ ref('contract_columns') }}
),

code_lists as (
    select * from {{ ref('contract_code_lists') }}
),

-- thanrak.observe.words' vocabularies (seed observe_words): a check's family is the words before
-- the column's header (rows and days_late have no column).
words as (
    select * from {{ ref('observe_words') }}
),

metrics as (
    select word as metric, name_th as label_th, name_en as label_en from words where vocabulary = 'check'
),

directions as (
    select word as direction, name_th as direction_th, name_en as direction_en
    from words where vocabulary = 'direction'
),

levels as (
    select word as level, sort_order as level_order, name_th as level_th, name_en as level_en
    from words where vocabulary = 'level'
),

baselines as (
    select word as baseline, name_th as baseline_th, name_en as baseline_en
    from words where vocabulary = 'baseline'
)

select
    anomalies.submission_id,
    submissions.province_code,
    submissions.dataset,
    submissions.period,
    submissions.revision,
    submissions.processed_night,
    submissions.delivered_at,
    submissions_in_force.submission_id is not null as is_in_force,
    anomalies.check_name,
    anomalies.metric,
    anomalies.column_name,
    anomalies.code,
    case
        when anomalies.metric = 'code_shift'
            then 'code_share:' || anomalies.column_name || ':' || anomalies.code
        else anomalies.check_name
    end as history_metric,
    anomalies.observed,
    anomalies.expected,
    anomalies.expected_low,
    anomalies.expected_high,
    anomalies.score,
    anomalies.direction,
    anomalies.level,
    levels.level_order,
    anomalies.baseline,
    anomalies.history_periods,
    anomalies.code_share,
    anomalies.usual_code_share,
    metrics.label_th || coalesce(': ' || coalesce(contract_columns.name_th, anomalies.column_name), '')
        as check_label_th,
    metrics.label_en || coalesce(': ' || coalesce(contract_columns.name_en, anomalies.column_name), '')
        as check_label_en,
    coalesce(code_lists.name_th, anomalies.code) as code_name_th,
    coalesce(code_lists.name_en, anomalies.code) as code_name_en,
    directions.direction_th,
    directions.direction_en,
    levels.level_th,
    levels.level_en,
    baselines.baseline_th,
    baselines.baseline_en,
    anomalies.assessed_at
from anomalies
inner join submissions using (submission_id)
left join submissions_in_force using (submission_id)
left join metrics on metrics.metric = anomalies.metric
left join contract_columns
    on contract_columns.dataset = submissions.dataset
    and contract_columns.column_name = anomalies.column_name
left join code_lists
    on code_lists.code_list = contract_columns.code_list
    and code_lists.code = anomalies.code
left join directions on directions.direction = anomalies.direction
left join levels on levels.level = anomalies.level
left join baselines on baselines.baseline = anomalies.baseline
