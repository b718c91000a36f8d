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
