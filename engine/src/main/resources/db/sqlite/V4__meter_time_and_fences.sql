-- meterhub store, SQLite dialect, version 4: the meter's own clock on readings, and fencing
-- tokens for the partition leases of the engine intake.
-- Same logical schema as db/postgresql/V4__meter_time_and_fences.sql (see the comments there).

-- The meter's own clock as reported (epoch ms UTC), kept when it was not trusted for time
-- (flag CLOCK_SKEW); null when the meter sent none or an invalid one (flag CLOCK_INVALID).
alter table readings add column meter_time integer;

-- Fencing tokens: taking a lease increments epoch; an append checks its epoch inside its own
-- (write-locked) transaction, so an engine that lost its lease cannot commit.
create table if not exists lease_fences (
    lease    text    not null primary key, -- e.g. partition/3
    epoch    integer not null check (epoch > 0),
    holder   text    not null,             -- engine id of the last taker
    taken_at integer not null              -- epoch ms UTC
) strict;

-- The PostgreSQL V4 also makes the rollups' primary keys covering (index-only scans of a meter's
-- series). Nothing to do here: the rollups are WITHOUT ROWID tables, so their rows already live in
-- primary-key order inside the key's B-tree.
