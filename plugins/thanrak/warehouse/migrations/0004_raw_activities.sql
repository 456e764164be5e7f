-- Accepted rows of the five-gear activities dataset, every revision kept. Columns follow the
-- submission contract (tests check they cannot drift); lineage columns come first.
create table raw.activities (
    submission_id       bigint      not null references ops.submission,
    source_row          integer     not null,
    loaded_at           timestamptz not null default now(),
    activity_id         text        not null,
    tambon_code         char(6)     not null,
    activity_date       date        not null,
    gear                text        not null,
    value_chain_stage   text        not null,
    sector              text        not null,
    programme           text        not null,
    partner_sectors     text[]      not null,
    participants        integer     not null,
    households_reached  integer     not null,
    budget_baht         numeric(16, 2) not null,
    disbursed_baht      numeric(16, 2) not null,
    primary key (submission_id, source_row)
);
