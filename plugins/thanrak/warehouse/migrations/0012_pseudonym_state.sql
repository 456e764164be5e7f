-- How many pseudonym keys (THANRAK_PSEUDONYM_KEYS, applied in order) the stored household keys
-- carry. Households loaded before keyed pseudonyms carry none; a warehouse with no household yet
-- takes the configured keys at its first load.
create table ops.pseudonym_state (
    singleton     boolean primary key default true check (singleton),
    keys_applied  integer not null check (keys_applied >= 0),
    changed_at    timestamptz not null default now()
);
insert into ops.pseudonym_state (keys_applied)
select 0 where exists (select from raw.bmn_households) or exists (
    select from quarantine.row where dataset = 'bmn_households');
