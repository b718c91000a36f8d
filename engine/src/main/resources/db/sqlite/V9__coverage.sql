-- meterhub store, SQLite dialect, version 9: reading coverage (org.meterhub.engine.coverage).
-- Same logical schema as db/postgresql/V9__coverage.sql (see the comments there).
-- Times are INTEGER epoch milliseconds (UTC); cycles are YYYY-MM. Both tables are append-only.

create table if not exists read_attempts (
    attempt_id  integer primary key,
    account_id  text,             -- null when only the meter is known (a remote poll)
    meter_id    text    not null,
    channel     text    not null check (channel in ('REMOTE_POLL', 'VISIT')),
    result      text    not null check (result in ('READ', 'FAILED')),
    attempted_at integer not null,
    note        text    not null,  -- why it failed (no answer, nobody home, meter hidden ...)
    recorded_by text    not null,  -- gateway:<id>, or the person who entered the visit
    recorded_at integer not null
) strict;
create unique index if not exists read_attempts_once on read_attempts (meter_id, channel, attempted_at);
create index if not exists read_attempts_meter_time on read_attempts (meter_id, attempted_at);

create table if not exists estimate_retirements (
    account_id        text    not null,  -- estimates.account_id
    cycle             text    not null,  -- estimates.cycle
    meter_id          text    not null,
    reading_time      integer not null,  -- the real reading that replaces the estimate
    reading_register_l integer not null,
    reason            text    not null,
    retired_at        integer not null,
    primary key (account_id, cycle)
) strict;
