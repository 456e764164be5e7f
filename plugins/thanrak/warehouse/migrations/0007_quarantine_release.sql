-- A corrected resubmission releases the quarantined rows of earlier revisions: 'fixed' when the
-- new revision loaded a row with the same key, 'superseded' when it no longer holds that row.
-- Rows are never deleted: the history of what each province got wrong stays.
alter table quarantine.row
    add column released_at  timestamptz,
    add column released_by  bigint references ops.submission,
    add column resolution   text check (resolution in ('fixed', 'superseded'));
create index row_open on quarantine.row (dataset, submission_id) where released_at is null;
