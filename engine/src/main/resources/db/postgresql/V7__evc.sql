-- meterhub store, PostgreSQL dialect, version 7: electronic volume converters (org.meterhub.engine.evc).
--
-- Same logical schema as db/sqlite/V7__evc.sql. evc_samples keeps, next to each converter reading
-- (whose register is the base volume Vb), the unconverted volume Vm and the line pressure and
-- temperature of the same poll, so every conversion check can be recomputed from stored data.
-- validation_flags gains the kind CONVERSION_ERROR.

create table if not exists evc_samples (
    meter_id      text        not null,
    time          timestamptz not null,
    base_l        bigint      not null check (base_l >= 0),
    unconverted_l bigint      not null check (unconverted_l >= 0),
    pressure_kpa  text        not null,
    temperature_c text        not null,
    primary key (meter_id, time)
);
comment on table evc_samples is 'Per converter reading: Vm and the line conditions of the same poll (the reading holds Vb). Append-only.';
comment on column evc_samples.pressure_kpa is 'Absolute line pressure in kPa, decimal text exactly as the converter reported it.';
comment on column evc_samples.temperature_c is 'Line gas temperature in degC, decimal text exactly as the converter reported it.';

alter table validation_flags drop constraint if exists validation_flags_kind_check;
alter table validation_flags add constraint validation_flags_kind_check check (kind in ('SPIKE', 'STUCK_REGISTER',
    'CLOCK_SKEW', 'UNIT_MISMATCH', 'REVERSE_FLOW', 'METER_FAULT', 'CONVERSION_ERROR'));
