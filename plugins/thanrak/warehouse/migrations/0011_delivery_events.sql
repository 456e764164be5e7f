-- Every delivery is an event: a file (its key and bytes) landing in a slot (province, dataset,
-- period) at a moment. The same bytes in the same slot are one submission, delivered again;
-- the same bytes in another slot are a submission of that slot (an empty file of a second
-- province, a misfiled file moved into the right folder).
alter table ops.submission drop constraint submission_content_sha256_key;
create unique index submission_slot_content on ops.submission (province_code, dataset, period, content_sha256)
    where province_code <> '?';  -- files outside the folder layout have no slot: each is its own

create table ops.delivery (
    delivery_id    bigint generated always as identity primary key,
    submission_id  bigint      not null references ops.submission,
    source_key     text        not null,
    byte_size      bigint      not null,
    delivered_at   timestamptz not null,
    night          date        not null,
    discovered_at  timestamptz not null default now()
);
create index delivery_file on ops.delivery (source_key, byte_size, delivered_at);
create index delivery_submission on ops.delivery (submission_id);
comment on table ops.delivery is
    'Every delivered file as it landed, first deliveries and re-deliveries of the same bytes alike';

insert into ops.delivery (submission_id, source_key, byte_size, delivered_at, night, discovered_at)
select submission_id, source_key, byte_size, delivered_at, night, discovered_at
from ops.submission;
