-- meterhub store, PostgreSQL dialect, version 19: readings get a per-meter index on TimescaleDB.
--
-- A live TimescaleDB store keeps its last 30 days uncompressed (the compression policy), and those
-- chunks had only the time-leading key (V6): a meter's day there was a scan of the whole day's key
-- (every meter's rows). Compressed chunks are segmented by meter and need nothing more. On a
-- hypertable, readings now get (meter_id, time), built by TimescaleDB on every chunk: new chunks get
-- it as they are made; a compressed chunk's own table is empty, so there it costs nothing and the
-- compressed data keeps its segment index. The index is built here, in this migration's transaction,
-- on a store that is already a hypertable (its uncompressed chunks: about a month of readings; 100 M
-- readings a year gave 31 chunks of 280,000 rows, docs/console.md); a new store gets it in
-- PgTimeLayout.prepareTimescale, after create_hypertable.
-- Plain PostgreSQL keeps its own scheme (daily partitions, the (meter_id, time) index built only on
-- days that have passed, PgTimeLayout.indexClosedPartitions): this migration does nothing there,
-- and nothing on a store whose readings are not yet a hypertable. Written without dollar quotes
-- (the migration splitter does not read them): a temporary function, dropped with the session.
create or replace function pg_temp.meterhub_v19_readings_meter_index() returns void language plpgsql as '
begin
  if exists (select 1 from pg_extension where extname = ''timescaledb'') then
    if exists (select 1 from timescaledb_information.hypertables
               where hypertable_schema = current_schema() and hypertable_name = ''readings'') then
      create index if not exists readings_meter_time on readings (meter_id, time);
    end if;
  end if;
end';
select pg_temp.meterhub_v19_readings_meter_index();
comment on table readings is 'Raw register readings as meters reported them. Append-only: never updated in place; a correction is a new reading. The primary key (time, meter_id, source) is the idempotency key (INSERT ... ON CONFLICT DO NOTHING); it leads with time because readings arrive time-major. Daily partitions readings_pYYYYMMDD (monthly readings_pYYYYMM in stores made before); a partition whose period has passed gets an index readings_p..._meter on (meter_id, time). With TimescaleDB a hypertable on time in daily chunks, with the index readings_meter_time on (meter_id, time) on every chunk (V19), compressed after 30 days segmented by meter.';
