-- meterhub store, PostgreSQL dialect, version 1: meters, readings, consumption.
--
-- Same logical schema as db/sqlite/V1__base.sql. Times are timestamptz (kept to the
-- millisecond by the application so both stores agree). Volumes are litres (0.001 m3) as
-- bigint, never floating point. No foreign keys: readings of a meter not registered yet
-- are still kept. Column comments below show in psql with \d+ <table>.
--
-- When the timescaledb extension is available, the store turns readings (on time) and
-- consumption (on start_time) into hypertables after this script; otherwise they stay
-- plain tables. Both primary keys contain the time column, as hypertables require.

create table if not exists meters (
    meter_id            text        not null primary key,
    medium              text        not null,
    base_reading_l      bigint      not null check (base_reading_l >= 0),
    base_time           timestamptz not null,
    register_capacity_l bigint      not null check (register_capacity_l > 0),
    created_at          timestamptz not null default now()
);
comment on table meters is 'Master record of each meter as the utility knows it; no customer data. Insert-only: registering an existing meter_id keeps the first row.';
comment on column meters.meter_id is 'The meter''s address/serial as the gateway reports it.';
comment on column meters.medium is 'What the meter measures: GAS, WATER or HEAT.';
comment on column meters.base_reading_l is 'Register value at commissioning, litres (0.001 m3); consumption before the first remote reading counts from it.';
comment on column meters.base_time is 'When base_reading_l was taken.';
comment on column meters.register_capacity_l is 'The register wraps to zero at this value, litres (CJ/T 188 8-digit register: 1000000000).';
comment on column meters.created_at is 'When this row was inserted.';

create table if not exists readings (
    meter_id    text        not null,
    time        timestamptz not null,
    source      text        not null,
    received_at timestamptz not null,
    volume_l    bigint      not null check (volume_l >= 0),
    flags       text        not null default '',
    status_bits integer     not null,
    primary key (meter_id, time, source)
);
comment on table readings is 'Raw register readings as meters reported them. Append-only: never updated in place; a correction is a new reading. The primary key is the idempotency key (INSERT ... ON CONFLICT DO NOTHING). Hypertable on time when TimescaleDB is available.';
comment on column readings.meter_id is 'meters.meter_id (not enforced: readings of unregistered meters are kept).';
comment on column readings.time is 'Meter clock, or the receive time when the meter clock was invalid (flag CLOCK_INVALID).';
comment on column readings.source is 'Where the reading came from: CJT188, MODBUS, MQTT, MANUAL or ESTIMATED.';
comment on column readings.received_at is 'Gateway clock when the reading arrived.';
comment on column readings.volume_l is 'Cumulative register value, litres (0.001 m3).';
comment on column readings.flags is 'ReadingFlag names, sorted, comma-separated (e.g. CLOCK_SKEW,LOW_BATTERY); empty string = none.';
comment on column readings.status_bits is 'The meter''s raw status word, kept for traceability.';

create table if not exists consumption (
    meter_id   text        not null,
    start_time timestamptz not null,
    end_time   timestamptz not null,
    volume_l   bigint      not null check (volume_l >= 0),
    flags      text        not null default '',
    check (end_time > start_time),
    primary key (meter_id, start_time)
);
comment on table consumption is 'Consumption intervals derived from readings: volume in [start_time, end_time). An interval never crosses an hour boundary, so hourly/daily/monthly totals (time_bucket) are exact sums. Hypertable on start_time when TimescaleDB is available.';
comment on column consumption.meter_id is 'meters.meter_id.';
comment on column consumption.start_time is 'Interval start, inclusive.';
comment on column consumption.end_time is 'Interval end, exclusive.';
comment on column consumption.volume_l is 'Litres (0.001 m3) that passed the meter in the interval.';
comment on column consumption.flags is 'IntervalFlag names, sorted, comma-separated (e.g. ROLLOVER,SPREAD); empty string = none.';
