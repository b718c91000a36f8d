-- meterhub store, PostgreSQL dialect, version 13: alarm deadlines from when the utility learns
-- (org.meterhub.engine.alarm). Same logical schema as db/sqlite/V13__alarm_deadlines.sql.
--
-- Before this version an alarm's raised_at was the meter's measurement time and its deadlines ran
-- from it. From now on raised_at is when the engine raised or received the alarm and observed_at
-- the measurement time; rows raised earlier get observed_at = raised_at (the only time they have).
alter table alarms add column observed_at timestamptz;
update alarms set observed_at = raised_at where observed_at is null;
alter table alarms add column deadline_rule text;
alter table alarms add column on_site_by timestamptz;
alter table alarms add column follow_up_by timestamptz;
alter table alarms add column on_site_at timestamptz;
alter table alarms add column on_site_actor text;
alter table alarms add column followed_up_at timestamptz;
alter table alarms add column followed_up_by text;
alter table alarms add column acknowledge_met integer check (acknowledge_met in (0, 1));
alter table alarms add column on_site_met integer check (on_site_met in (0, 1));
alter table alarms add column resolve_met integer check (resolve_met in (0, 1));
alter table alarms add column follow_up_met integer check (follow_up_met in (0, 1));
comment on column alarms.raised_at is 'When the utility learned of the event: the engine raised or received the alarm (since V13; before, the measurement time). Deadlines run from here.';
comment on column alarms.observed_at is 'When the meter measured or reported the event (may be long before raised_at for a late reading).';
comment on column alarms.deadline_rule is 'The response rule applied, medium/response (gas/leak, heat/repair) or none; null for alarms raised before V13.';
comment on column alarms.on_site_by is 'Deadline to be on site (heat).';
comment on column alarms.follow_up_by is 'Deadline for the follow-up call after the repair (heat).';
comment on column alarms.acknowledge_met is 'Recorded at resolution: 1 when the acknowledge deadline was met, 0 when missed, null without one.';
comment on column alarms.follow_up_met is 'Recorded at the follow-up step: 1 when in time, 0 when late, null before it or without a deadline.';
create index alarms_resolved on alarms (resolved_at);

alter table alarm_events add column milestone text check (milestone in ('ACKNOWLEDGE', 'ON_SITE', 'RESOLVE', 'FOLLOW_UP'));
comment on column alarm_events.milestone is 'The deadline milestone this step reached; null for the raise and engine evidence (and steps before V13).';
