-- meterhub store, PostgreSQL dialect, version 4: the meter's own clock on readings, and fencing
-- tokens for the partition leases of the engine intake.
--
-- Same logical schema as db/sqlite/V4__meter_time_and_fences.sql.

-- On a store already partitioned by month (or a hypertable) the column reaches every partition.
alter table readings add column if not exists meter_time timestamptz;
comment on column readings.meter_time is 'The meter''s own clock as it reported it, kept when it was not trusted for time (flags CLOCK_SKEW); null when the meter sent none or an invalid one (all zeros, flag CLOCK_INVALID).';

create table if not exists lease_fences (
    lease    text        not null primary key,
    epoch    bigint      not null check (epoch > 0),
    holder   text        not null,
    taken_at timestamptz not null
);
comment on table lease_fences is 'Fencing tokens of the engine intake''s partition leases: an engine that takes a lease (e.g. partition/3) increments epoch; each append of that partition''s readings checks, in its own transaction and with SELECT ... FOR SHARE, that the epoch is still the one its engine took, so an engine that lost its lease cannot commit.';
comment on column lease_fences.lease is 'The lease, e.g. partition/3.';
comment on column lease_fences.epoch is 'Incremented by every take; the holder''s fencing token.';
comment on column lease_fences.holder is 'Engine id of the last taker (for people; the epoch decides).';
comment on column lease_fences.taken_at is 'When the last taker took it.';

-- Covering primary keys on the engine-maintained rollups: a meter's series (e.g. a year of days)
-- is then read by an index-only scan of a few adjacent index pages, already in bucket order,
-- instead of one heap page per bucket (rows of one meter are spread over the table because
-- every append touches many meters) plus a sort. The included columns are the ones every
-- series query reads. ON CONFLICT (meter_id, bucket) still finds this key.
-- Only where they are tables: with TimescaleDB they may already be continuous aggregates.
do '
declare
    t text;
begin
    foreach t in array array[''consumption_hourly'', ''consumption_daily'', ''consumption_monthly''] loop
        if exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where c.relname = t and n.nspname = current_schema() and c.relkind = ''r'') then
            execute format(''alter table %I drop constraint if exists %I, add constraint %I primary key (meter_id, bucket)''
                           '' include (volume_l, intervals, flag_bits)'', t, t || ''_pkey'', t || ''_pkey'');
        end if;
    end loop;
end';
