-- The revision in force for each province, dataset and period: the latest delivered one that
-- loaded (ties by file name, then revision). A rejected resubmission does not replace a good
-- earlier file, and a file found late but delivered before the one in force does not either.
--
-- "No later loaded file in the slot" rather than a row_number() window: a window is computed
-- over every submission before any filter, so a fact reading one new file's rows joined it once
-- per row when the planner expected one row (raw's statistics do not know a file loaded after
-- their last ANALYZE): 8.3 s for 5,105 households at 1 % of national scale, 65 s at 10 %. Without
-- the window (and with the import CTE inlined, `not materialized`, though read twice) the file's
-- submission_id reaches ops.submission's primary key, and the join is one probe whatever the
-- estimate. The slot's revisions are unique, so exactly one file is in force.
with submissions as not materialized (
    select * from {{ ref('stg_ops__submissions') }}
    where status = 'loaded'
)

select
    submissions.submission_id,
    submissions.province_code,
    submissions.dataset,
    submissions.period,
    submissions.revision,
    submissions.source_key,
    submissions.delivered_at,
    submissions.delivery_night
from submissions
where not exists (
        select from submissions as later
        where
            later.province_code = submissions.province_code
            and later.dataset = submissions.dataset
            and later.period = submissions.period
            and (later.delivered_at, later.source_key, later.revision)
            > (submissions.delivered_at, submissions.source_key, submissions.revision)
    )
