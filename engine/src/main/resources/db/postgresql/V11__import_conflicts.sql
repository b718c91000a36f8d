-- meterhub store, PostgreSQL dialect, version 9: readings import conflicts (org.meterhub.engine.importing).
--
-- Same logical schema as db/sqlite/V9__import_conflicts.sql. A reading imported from a file at a time
-- the store already holds for the meter, with a different register, is a conflict: the stored reading
-- stays (readings are never updated), the other value is kept here with where it came from.
create table if not exists import_conflicts (
    meter_id      text        not null,
    reading_time  timestamptz not null,
    stored_l      bigint      not null check (stored_l >= 0),
    conflicting_l bigint      not null check (conflicting_l >= 0),
    file          text        not null,
    line          bigint      not null,
    detected_at   timestamptz not null,
    primary key (meter_id, reading_time, conflicting_l, file, line)
);
comment on table import_conflicts is 'Imported readings whose register differs from the stored reading at the same meter and time; the stored one stays. Append-only.';
