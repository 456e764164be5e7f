{#- The rows of one staged raw dataset that belong to the revision in force of their
    province × period slot (int_submissions_in_force), with the slot's province, period and
    revision first. The body of every int_<dataset>_in_force model. -#}
{% macro rows_in_force(staging_model) %}
with staged_rows as (
    select * from {{ ref(staging_model) }}
),

submissions_in_force as (
    select * from {{ ref('int_submissions_in_force') }}
)

select
    submissions_in_force.province_code,
    submissions_in_force.period,
    submissions_in_force.revision,
    staged_rows.*
from staged_rows
inner join submissions_in_force
    on submissions_in_force.submission_id = staged_rows.submission_id
{% endmacro %}
