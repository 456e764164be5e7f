-- Data observability (docs/data-quality.md, "Unusual deliveries"): what a loaded file measures,
-- and which of those measures are far from the slot's own history. Written after the night's
-- loads by thanrak.observe, never in a file's load transaction: a measure or an anomaly never
-- blocks a load. Both are recomputed from raw.* and ops.submission, so they can be rebuilt.

-- One measure of one loaded file. metric names: rows (rows received), days_late (first file of
-- its slot only: days after the due time, negative when early), sum:<column>,
-- null_share:<column>, code_share:<column>:<code>.
create table dq.file_metric (
    submission_id bigint           not null references ops.submission,
    metric        text             not null,
    value         double precision not null,
    primary key (submission_id, metric)
);

-- One check of one file that came out unusual. check_name is the metric, or code_shift:<column>
-- for a code column's distribution as a whole. expected_* are the usual range the method allows
-- (docs/data-quality.md), on the metric's own scale; score is the robust z-score (for a
-- distribution: its distance from the usual shares over the allowed distance).
create table dq.anomaly (
    submission_id   bigint           not null references ops.submission,
    check_name      text             not null,
    observed        double precision not null,
    expected        double precision not null,
    expected_low    double precision not null,
    expected_high   double precision not null,
    score           double precision not null,
    direction       text             not null check (direction in ('higher', 'lower', 'shifted', 'later')),
    level           text             not null check (level in ('low', 'medium', 'high')),
    baseline        text             not null check (baseline in ('own', 'own_fiscal_month', 'peers')),
    history_periods integer          not null,
    detail          jsonb            not null default '{}',
    assessed_at     timestamptz      not null default now(),
    primary key (submission_id, check_name)
);
comment on table dq.anomaly is
    'Checks of a loaded file against its province''s own history (or its region''s peers) that came out unusual; severity warn, never blocking';
