-- OTOP Product Champion results: one row per product × selection round (province × product ×
-- round) of the files in force, the row of the latest delivered file (int_otop_ratings_in_force).
--
-- Incremental, but not by whole files as the other facts (only_new_revisions): a corrected
-- results file of a later month is a slot of its own, so a key can move from one file in force
-- to another, and back when that file is replaced by one without the key. After the folder's
-- pre-hook has deleted the rows of revisions no longer in force, this model's own deletes the rows
-- that are no longer the row in force of their key; the select then appends the rows in force the
-- table does not hold, row by row (submission_id, source_row). Both read every rating in force:
-- a round is a few tens of thousands of rows nationally, on the nights results files arrive.

{% set dataset = 'otop_ratings' %}
{{ config(
    indexes=fact_indexes('otop_rating_key', also=['product_key']),
    meta={'dataset': dataset},
    pre_hook=[
        "{% if is_incremental() %}delete from {{ this }} as held where not exists ("
        ~ "select from {{ ref('int_otop_ratings_in_force') }} as in_force"
        ~ " where in_force.submission_id = held.submission_id and in_force.source_row = held.source_row)"
        ~ "{% else %}select 1{% endif %}",
    ],
) }}

-- depends_on: {{ ref('int_submissions_in_force') }} {{ ref('stg_ops__submissions') }}
with ratings as (
    select * from {{ ref('int_otop_ratings_in_force') }}
)

select
    md5(ratings.province_code || '|' || ratings.product_id || '|' || ratings.opc_round) as otop_rating_key,
    ratings.province_code,
    ratings.period,
    md5(ratings.province_code || '|' || ratings.product_id) as product_key,
    ratings.tambon_code as area_key,
    ratings.opc_round,
    ratings.announced_on as date_key,
    ratings.product_category_code,
    ratings.star_level,
    ratings.score,
    ratings.segment_code,
    ratings.mark_tier_code,
    ratings.submission_id,
    ratings.revision,
    ratings.source_row,
    {{ built_at() }}
from ratings
{% if is_incremental() %}
    where
        not exists (
            select from {{ this }} as held
            where held.submission_id = ratings.submission_id and held.source_row = ratings.source_row
        )
{% endif %}
