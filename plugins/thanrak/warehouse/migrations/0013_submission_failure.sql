-- A file that a stage could not process (a bug, bytes no stage foresaw) is closed as rejected with
-- words for the officer, and keeps the error here for the engineers: it is never left pending, to
-- fail every night's retries again.
alter table ops.submission add column failure text;
comment on column ops.submission.failure is
    'The internal error that stopped this file (for engineers); null when every stage ran';
