{#- Incremental facts, on each run: first the rows of revisions no longer in force are deleted
    (delete_superseded_rows, the pre-hook), then the rows of files in force that the table does
    not hold yet are appended (only_new_revisions). A resubmission can drop rows or bring none at
    all; its predecessor's rows go either way. A key is never appended twice: the rows in force
    hold each key once (each fact's unique test), and the rows a new revision brings were its
    predecessor's, deleted first. The result equals a full refresh (tests/test_marts.py). -#}
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
