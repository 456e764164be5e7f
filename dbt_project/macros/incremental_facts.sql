{#- Incremental facts, on each run: first the rows of revisions no longer in force are deleted
    (delete_superseded_rows, the pre-hook), then the rows of files in force that the table does
    not hold yet are appended (only_new_revisions). A resubmission can drop rows or bring none at
    all; its predecessor's rows go either way. A key is never appended twice: the rows in force
    hold each key once (each fact's unique test), and the rows a new revision brings were its
    predecessor's, deleted first. The result equals a full refresh (tests/test_marts.py). -#}
{#- Both look up the few submissions concerned, so that a night touching one file reads that file's
    rows, through raw's primary key and the facts' submission_id index, not the whole table (a
    national survey year: 14 M rows). -#}
{% macro only_new_revisions() %}
    -- depends_on: {{ ref('int_submissions_in_force') }} {{ ref('stg_ops__submissions') }}
    {% if is_incremental() %}
    where submission_id in (
        select in_force.submission_id from {{ ref('int_submissions_in_force') }} as in_force
        where not exists (select from {{ this }} as held where held.submission_id = in_force.submission_id)
    )
    {% endif %}
{% endmacro %}

{#- Rows of loaded files that are no longer in force: their slot has a newer revision. -#}
{% macro delete_superseded_rows() %}
    {% if is_incremental() %}
    delete from {{ this }}
    where submission_id in (
        select submission_id from {{ ref('stg_ops__submissions') }} where status = 'loaded'
        except
        select submission_id from {{ ref('int_submissions_in_force') }}
    )
    {% else %}
    select 1
    {% endif %}
{% endmacro %}
