-- The submission manifest: one row per delivered file (by content hash), whatever became of it.
create table ops.submission (
    submission_id     bigint generated always as identity primary key,
    content_sha256    char(64)    not null unique,
    source_key        text        not null,  -- path inside the landing zone
    province_code     text        not null,
    dataset           text        not null,
    period            text        not null,
    revision          integer     not null,
    byte_size         bigint      not null,
    delivered_at      timestamptz not null,
    discovered_at     timestamptz not null default now(),
    night             date        not null,
    status            text        not null default 'discovered'
                      check (status in ('discovered', 'loaded', 'rejected')),
    file_format       text,
    encoding          text,
    rows_received     integer,
    rows_loaded       integer,
    rows_quarantined  integer,
    reject_reason_th  text,
    reject_reason_en  text,
    processed_at      timestamptz,
    unique (province_code, dataset, period, revision),
    -- Nothing lost: every row of a loaded file is either loaded or quarantined.
    constraint loaded_rows_add_up check (
        status <> 'loaded' or rows_received = rows_loaded + rows_quarantined)
);
create index submission_slot on ops.submission (dataset, province_code, period);

-- One row per stage per nightly run: what ran, how long, what it saw.
create table ops.run_log (
    run_log_id   bigint generated always as identity primary key,
    run_id       text        not null,
    night        date        not null,
    stage        text        not null,
    started_at   timestamptz not null,
    finished_at  timestamptz not null,
    detail       jsonb       not null default '{}'
);
create index run_log_night on ops.run_log (night, stage);
