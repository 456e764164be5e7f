{#- Incremental facts take, on each run, the rows of files in force that the table does not hold
    yet, and merge them on the fact's key. A resubmission can also drop rows, or bring none at
    all, so after the merge the rows of superseded revisions are deleted: the result equals a
    full refresh (tests/test_marts.py proves it). -#}
{% macro only_new_revisions() %}
    -- depends_on: {{ ref('int_submissions_in_force') }} (read by delete_superseded_rows)
    {% if is_incremental() %}
    where submission_id not in (select distinct submission_id from {{ this }})
    {% endif %}
{% endmacro %}

{% macro delete_superseded_rows() %}
    {% if is_incremental() %}
    delete from {{ this }}
    where submission_id not in (select submission_id from {{ ref('int_submissions_in_force') }})
    {% else %}
    select 1
    {% endif %}
{% endmacro %}
