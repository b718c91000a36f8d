-- meterhub store, SQLite dialect, version 13: alarm deadlines from when the utility learns.
-- Same logical schema as db/postgresql/V13__alarm_deadlines.sql (see the comments there).
-- raised_at is now when the engine raised or received the alarm (deadlines run from it);
-- observed_at is the measurement time. Rows raised before get observed_at = raised_at.
alter table alarms add column observed_at integer;
update alarms set observed_at = raised_at where observed_at is null;
alter table alarms add column deadline_rule text;      -- gas/leak, heat/repair, none; null before V13
alter table alarms add column on_site_by integer;      -- deadline to be on site (heat)
alter table alarms add column follow_up_by integer;    -- deadline for the follow-up call (heat)
alter table alarms add column on_site_at integer;
alter table alarms add column on_site_actor text;
alter table alarms add column followed_up_at integer;
alter table alarms add column followed_up_by text;
alter table alarms add column acknowledge_met integer check (acknowledge_met in (0, 1)); -- recorded at resolution
alter table alarms add column on_site_met integer check (on_site_met in (0, 1));
alter table alarms add column resolve_met integer check (resolve_met in (0, 1));
alter table alarms add column follow_up_met integer check (follow_up_met in (0, 1));     -- recorded at the follow-up
create index alarms_resolved on alarms (resolved_at);

alter table alarm_events add column milestone text check (milestone in ('ACKNOWLEDGE', 'ON_SITE', 'RESOLVE', 'FOLLOW_UP'));
