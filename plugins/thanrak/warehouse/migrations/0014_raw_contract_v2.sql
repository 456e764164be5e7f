-- Raw tables of the five datasets added in submission contract v2 (docs/programmes.md).
-- Columns follow the contracts; tests check they cannot drift. Every revision is kept; as since
-- 0008, no foreign key to ops.submission (each raw row is written in the transaction that claims
-- its manifest row).
create table raw.smart_tambon (
    submission_id       bigint      not null,
    source_row          integer     not null,
    loaded_at           timestamptz not null default now(),
    tambon_code         char(6) not null,
    report_month        date not null,
    dimension           text not null,
    level               integer not null,
    sti_projects        integer not null,
    households_involved integer not null,
    partner_sectors     text[] not null,
    primary key (submission_id, source_row)
);
create table raw.pracharath_meetings (
    submission_id    bigint      not null,
    source_row       integer     not null,
    loaded_at        timestamptz not null default now(),
    body             text not null,
    meeting_no       integer not null,
    meeting_date     date not null,
    partner_sectors  text[] not null,
    attendees        integer not null,
    resolutions      integer not null,
    resolutions_done integer not null,
    primary key (submission_id, source_row)
);
create table raw.pracharath_projects (
    submission_id     bigint      not null,
    source_row        integer     not null,
    loaded_at         timestamptz not null default now(),
    project_id        text not null,
    project_name      text not null,
    body              text not null,
    enterprise_id     text,
    tambon_code       char(6) not null,
    sector            text not null,
    value_chain_stage text not null,
    partner_sectors   text[] not null,
    report_month      date not null,
    status            text not null,
    support_baht      numeric(16, 2) not null,
    members           integer not null,
    revenue_baht      numeric(16, 2) not null,
    primary key (submission_id, source_row)
);
create table raw.knn_activities (
    submission_id     bigint      not null,
    source_row        integer     not null,
    loaded_at         timestamptz not null default now(),
    amphoe_code       char(4) not null,
    report_month      date not null,
    activity          text not null,
    participant_group text not null,
    people            integer not null,
    wages_baht        numeric(16, 2),
    sites             integer,
    certified         integer,
    spend_baht        numeric(16, 2) not null,
    primary key (submission_id, source_row)
);
create table raw.otop_ratings (
    submission_id    bigint      not null,
    source_row       integer     not null,
    loaded_at        timestamptz not null default now(),
    product_id       text not null,
    producer_id      text not null,
    product_category text not null,
    tambon_code      char(6) not null,
    opc_round        integer not null,
    star_level       integer not null,
    score            numeric(16, 2) not null,
    segment          text,
    mark_tier        text,
    announced_on     date not null,
    primary key (submission_id, source_row)
);
