-- meterhub store, SQLite dialect, version 7: electronic volume converters (org.meterhub.engine.evc).
--
-- Same logical schema as db/postgresql/V7__evc.sql. evc_samples keeps, next to each converter
-- reading (whose register is the base volume Vb), the unconverted volume Vm and the line pressure and
-- temperature of the same poll, so every conversion check can be recomputed from stored data.
-- Pressure and temperature are decimal text as the converter reported them (no floating type).
-- validation_flags gains the kind CONVERSION_ERROR; SQLite cannot change a check constraint, so the
-- table is rebuilt with the same columns and rows.

create table if not exists evc_samples (
    meter_id      text    not null,
    time          integer not null,  -- the reading's time (readings.time)
    base_l        integer not null check (base_l >= 0),         -- Vb, litres (the reading's register)
    unconverted_l integer not null check (unconverted_l >= 0),  -- Vm, litres
    pressure_kpa  text    not null,  -- absolute, kPa, decimal text
    temperature_c text    not null,  -- degC, decimal text
    primary key (meter_id, time)
) strict, without rowid;

create table validation_flags_v7 (
    meter_id     text    not null,
    reading_time integer not null,  -- the flagged reading's time
    kind         text    not null check (kind in ('SPIKE', 'STUCK_REGISTER', 'CLOCK_SKEW', 'UNIT_MISMATCH',
                                                  'REVERSE_FLOW', 'METER_FAULT', 'CONVERSION_ERROR')),
    reason       text    not null,
    detected_at  integer not null,
    primary key (meter_id, reading_time, kind)
) strict, without rowid;
insert into validation_flags_v7 (meter_id, reading_time, kind, reason, detected_at)
    select meter_id, reading_time, kind, reason, detected_at from validation_flags;
drop table validation_flags;
alter table validation_flags_v7 rename to validation_flags;
create index if not exists validation_flags_kind on validation_flags (kind, detected_at);
