-- Access: roles and their rights (see docs/access.md).
--
-- Roles belong to the whole server, not to one database, and several databases (or test
-- modules) may migrate at the same time: the advisory lock of thanrak.migrate is per database,
-- so each role is created in a block that treats "already there" (duplicate_object) and "created
-- by a concurrent transaction just now" (unique_violation) as done. Every role is NOLOGIN here;
-- `thanrak migrate` gives LOGIN with a password only when the environment provides one
-- (thanrak.access.apply_credentials), and provincial logins are added by an administrator
-- (`thanrak grant-province-login`).
do $$
declare
    wanted record;
begin
    for wanted in
        select * from (values
            ('thanrak_loader', 'Thanrak: ingestion; writes raw, quarantine, ops and dq, reads ref'),
            ('thanrak_transformer', 'Thanrak: dbt; reads raw, quarantine, ops, dq and ref, builds staging, intermediate, marts and bi'),
            ('bi_reader', 'Thanrak: BI tools; reads every row of marts and bi, nothing else'),
            ('thanrak_province_reader', 'Thanrak: provincial readers (group); marts and bi, only their provinces'' rows (row-level security)')
        ) as roles (role_name, description)
    loop
        begin
            execute format('create role %I nologin', wanted.role_name);
            execute format('comment on role %I is %L', wanted.role_name, wanted.description);
        exception when duplicate_object or unique_violation then
            null;  -- made by an earlier migration of another database, or by one running now
        end;
    end loop;
end
$$;

-- Which reader role sees which province. One role per CDD province, made below; a role listed
-- for several provinces (a region, say) sees all of them.
create schema access;
comment on schema access is 'Row-level security: which reader role sees which province';
create table access.province_reader_role (
    province_code  char(2) not null,
    role_name      text    not null,
    primary key (province_code, role_name)
);

-- The 76 provinces of the CDD network (DOPA codes; Bangkok, 10, is outside it). Reference data
-- is loaded after the migrations, so the codes are listed here; on a warehouse whose ref is
-- already loaded, any further network province found there gets its role as well.
insert into access.province_reader_role (province_code, role_name)
select code, 'thanrak_province_reader_' || code
from (
    select unnest(string_to_array(
        '11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,30,31,32,33,34,35,36,37,38,39,'
        '40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,60,61,62,63,64,65,66,67,'
        '70,71,72,73,74,75,76,77,80,81,82,83,84,85,86,90,91,92,93,94,95,96', ','))::char(2)
    union
    select province_code from ref.province where in_cdd_network
) as codes (code);

do $$
declare
    province record;
begin
    for province in select role_name, province_code from access.province_reader_role order by role_name loop
        begin
            execute format('create role %I nologin', province.role_name);
            execute format(
                'comment on role %I is %L', province.role_name,
                'Thanrak: reads the marts rows of province ' || province.province_code
            );
        exception when duplicate_object or unique_violation then
            null;
        end;
        begin
            execute format('grant thanrak_province_reader to %I', province.role_name);
        exception when duplicate_object or unique_violation then
            null;  -- a concurrent migration granted it just now
        end;
    end loop;
end
$$;

-- The provinces the current user reads: those whose reader role it has the privileges of
-- (directly or through roles it belongs to). The policies call it inside `array(select ...)`,
-- which PostgreSQL evaluates once per query (an InitPlan), not once per row.
create function access.reader_provinces() returns setof char(2)
language sql stable parallel safe
as $$
    select distinct province_code
    from access.province_reader_role
    where pg_has_role(to_regrole(role_name), 'USAGE')
$$;
revoke all on function access.reader_provinces() from public;
grant usage on schema access to thanrak_province_reader;
grant select on access.province_reader_role to thanrak_province_reader;
grant execute on function access.reader_provinces() to thanrak_province_reader;

-- Loader: the pipeline's ingestion (discover, load, quarantine release, validation results).
grant usage on schema raw, quarantine, ops, dq, ref to thanrak_loader;
grant select, insert, update, delete on all tables in schema raw, quarantine, ops, dq to thanrak_loader;
revoke insert, update, delete on ops.schema_migration from thanrak_loader;
grant usage, select on all sequences in schema raw, quarantine, ops, dq to thanrak_loader;
grant select on all tables in schema ref to thanrak_loader;
alter default privileges in schema raw, quarantine, ops, dq
    grant select, insert, update, delete on tables to thanrak_loader;
alter default privileges in schema raw, quarantine, ops, dq
    grant usage, select on sequences to thanrak_loader;
alter default privileges in schema ref grant select on tables to thanrak_loader;

-- Transformer: dbt reads the pipeline's layers and builds its own.
grant usage on schema raw, quarantine, ops, dq, ref to thanrak_transformer;
grant select on all tables in schema raw, quarantine, ops, dq, ref to thanrak_transformer;
alter default privileges in schema raw, quarantine, ops, dq, ref
    grant select on tables to thanrak_transformer;
grant usage, create on schema staging, intermediate, marts, bi to thanrak_transformer;

-- Readers: marts and bi only. SELECT on each mart comes from dbt's grants, given in the same
-- transaction that enables the mart's row-level security; bi_reader also gets it on what is
-- there already. Provincial readers deliberately get no SELECT here nor by default privileges:
-- a mart not yet secured by dbt must not show them every province.
grant usage on schema marts, bi to bi_reader, thanrak_province_reader;
grant select on all tables in schema marts, bi to bi_reader;
alter default privileges in schema marts, bi grant select on tables to bi_reader;
