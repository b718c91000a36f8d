-- meterhub store, SQLite dialect, version 1: meters, readings, consumption.
--
-- Same logical schema as db/postgresql/V1__base.sql, with two SQLite choices:
--   * Every time column is INTEGER epoch milliseconds (UTC), e.g. 1706716800000 =
--     2024-01-31T16:00:00Z = 2024-02-01 00:00 Asia/Shanghai. Integers order and compare
--     exactly; read them with  datetime(time / 1000, 'unixepoch')  in the sqlite3 shell.
--   * Tables are STRICT (a volume can never be stored as REAL or text) and the time-series
--     tables are WITHOUT ROWID, so rows are clustered by (meter, time) like a TimescaleDB
--     chunk index.
-- Volumes are litres (0.001 m3) as 64-bit integers, never floating point.
-- No foreign keys: readings of a meter not registered yet are still kept.

create table if not exists meters (
    meter_id            text    not null primary key, -- the meter's address/serial as the gateway reports it
    medium              text    not null,             -- GAS, WATER or HEAT
    base_reading_l      integer not null check (base_reading_l >= 0),      -- register at commissioning, litres
    base_time           integer not null,             -- when base_reading_l was taken, epoch ms UTC
    register_capacity_l integer not null check (register_capacity_l > 0), -- register wraps to 0 here, litres
    created_at          integer not null              -- when this row was inserted, epoch ms UTC
) strict;

-- Raw register readings as meters reported them. Append-only: a row is never updated in
-- place; a correction is a new reading (another source or time). Idempotency key is the
-- primary key, so re-delivered readings are ignored (INSERT ... ON CONFLICT DO NOTHING).
create table if not exists readings (
    meter_id    text    not null, -- meters.meter_id
    time        integer not null, -- meter clock (or receive time when the clock was invalid), epoch ms UTC
    source      text    not null, -- CJT188, MODBUS, MQTT, MANUAL or ESTIMATED
    received_at integer not null, -- gateway clock when the reading arrived, epoch ms UTC
    volume_l    integer not null check (volume_l >= 0), -- cumulative register, litres
    flags       text    not null default '', -- ReadingFlag names, sorted, comma-separated; '' = none
    status_bits integer not null, -- the meter's raw status word, kept for traceability
    primary key (meter_id, time, source)
) strict, without rowid;

-- Consumption intervals derived from readings: volume that passed the meter in
-- [start_time, end_time). An interval never crosses an hour boundary, so hourly, daily and
-- monthly totals are exact sums of whole rows.
create table if not exists consumption (
    meter_id   text    not null, -- meters.meter_id
    start_time integer not null, -- interval start (inclusive), epoch ms UTC
    end_time   integer not null, -- interval end (exclusive), epoch ms UTC
    volume_l   integer not null check (volume_l >= 0), -- litres in the interval
    flags      text    not null default '', -- IntervalFlag names, sorted, comma-separated; '' = none
    check (end_time > start_time),
    primary key (meter_id, start_time)
) strict, without rowid;
