-- meterhub store, SQLite dialect, version 9: readings import conflicts (org.meterhub.engine.importing).
--
-- Same logical schema as db/postgresql/V9__import_conflicts.sql. A reading imported from a file at a
-- time the store already holds for the meter, with a different register, is a conflict: the stored
-- reading stays (readings are never updated), the other value is kept here with where it came from,
-- so both registers stay visible and nothing is silently dropped.
create table if not exists import_conflicts (
    meter_id      text    not null,
    reading_time  integer not null,  -- the reading's time (readings.time), epoch ms UTC
    stored_l      integer not null check (stored_l >= 0),      -- the register the store holds, litres
    conflicting_l integer not null check (conflicting_l >= 0), -- the register the file gave, litres
    file          text    not null,  -- the imported file's name
    line          integer not null,  -- its line number (1 = header)
    detected_at   integer not null,
    primary key (meter_id, reading_time, conflicting_l, file, line)
) strict, without rowid;
