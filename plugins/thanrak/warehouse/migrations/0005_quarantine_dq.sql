-- Rows that failed a row-level rule, with every reason and the row as the province sent it.
create table quarantine.row (
    submission_id  bigint      not null references ops.submission,
    source_row     integer     not null,
    dataset        text        not null,
    record         jsonb       not null,
    reasons        jsonb       not null,
    quarantined_at timestamptz not null default now(),
    primary key (submission_id, source_row)
);

-- One validation per submitted file, and the result of each rule in it.
create table dq.validation_run (
    submission_id  bigint      primary key references ops.submission,
    suite_name     text        not null,
    success        boolean     not null,
    rows_evaluated integer     not null,
    validated_at   timestamptz not null default now()
);
create table dq.rule_result (
    submission_id  bigint  not null references dq.validation_run,
    rule           text    not null,
    column_name    text    not null default '',
    severity       text    not null,
    failed_rows    integer not null,
    primary key (submission_id, rule, column_name)
);
