{#- The accepted rows of one raw dataset that belong to the revision in force of their
    province × period slot, with the slot's province, period and revision. -#}
{% macro rows_in_force(dataset) %}
    select
        current_submissions.province_code,
        current_submissions.period,
        current_submissions.revision,
        accepted.*
    from {{ source('raw', dataset) }} as accepted
    inner join {{ ref('stg_ops__current_submissions') }} as current_submissions
        on current_submissions.submission_id = accepted.submission_id
{% endmacro %}
