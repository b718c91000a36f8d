-- meterhub store, SQLite dialect, version 3: what the engine's rules decide.
-- Same logical schema as db/postgresql/V3__engine_rules.sql (see the comments there).
-- Times are INTEGER epoch milliseconds (UTC); billing cycles are text YYYY-MM; booleans 0/1.
-- Measurement-derived records (flags, corrections, estimates, true-ups, valve decisions, alarm
-- events) are append-only. The alarms table holds each alarm's current state as a projection of
-- its alarm_events, so it can be listed without replaying the events.

create table if not exists alarms (
    alarm_id        integer primary key,     -- sequence number
    kind            text    not null,        -- AlarmKind, e.g. NIGHT_FLOW, METER_FAULT
    category        text    not null check (category in ('LEAK', 'FAULT', 'DATA')),
    subject         text    not null,        -- a meter id, or district:<id>
    meter_id        text,                    -- the subject when it is a meter; null for a district
    detail          text    not null,        -- why, with the numbers; never customer data
    volume_lost_l   integer,                 -- litres lost where the detector can say
    raised_at       integer not null,
    acknowledge_by  integer,                 -- deadline to acknowledge (on site / handled)
    resolve_by      integer,                 -- deadline to resolve (repaired)
    state           text    not null check (state in ('RAISED', 'ACKNOWLEDGED', 'RESOLVED')),
    acknowledged_at integer,
    acknowledged_by text,
    resolved_at     integer,
    resolved_by     text,
    resolution      text
) strict;
create index if not exists alarms_subject on alarms (subject, kind);
create index if not exists alarms_open on alarms (state, raised_at);
create index if not exists alarms_meter on alarms (meter_id, raised_at);

create table if not exists alarm_events (
    alarm_id integer not null,  -- alarms.alarm_id
    step     integer not null,  -- 1 = raised, then each lifecycle step
    state    text    not null check (state in ('RAISED', 'ACKNOWLEDGED', 'RESOLVED')),
    at       integer not null,
    actor    text    not null,  -- 'engine' for a raise, else who acknowledged or resolved
    note     text    not null default '',
    primary key (alarm_id, step)
) strict, without rowid;

create table if not exists validation_flags (
    meter_id     text    not null,
    reading_time integer not null,  -- the flagged reading's time
    kind         text    not null check (kind in ('SPIKE', 'STUCK_REGISTER', 'CLOCK_SKEW', 'UNIT_MISMATCH',
                                                  'REVERSE_FLOW', 'METER_FAULT')),
    reason       text    not null,
    detected_at  integer not null,
    primary key (meter_id, reading_time, kind)
) strict, without rowid;
create index if not exists validation_flags_kind on validation_flags (kind, detected_at);

create table if not exists consumption_corrections (
    sequence  integer not null primary key, -- later corrections win where spans overlap
    meter_id  text    not null,
    from_time integer not null,             -- span superseded: intervals starting in [from_time, to_time)
    to_time   integer not null,
    total_l   integer not null check (total_l >= 0),
    cause     text    not null,             -- e.g. late reading 2026-11-24T10:35:00Z (CJT188)
    created_at integer not null,
    check (to_time > from_time)
) strict;
create index if not exists consumption_corrections_meter on consumption_corrections (meter_id, from_time);

create table if not exists consumption_correction_intervals (
    sequence   integer not null,  -- consumption_corrections.sequence
    meter_id   text    not null,
    start_time integer not null,
    end_time   integer not null,
    volume_l   integer not null check (volume_l >= 0),
    flags      text    not null default '',
    check (end_time > start_time),
    primary key (sequence, start_time)
) strict, without rowid;
create index if not exists consumption_correction_intervals_meter
    on consumption_correction_intervals (meter_id, start_time);

-- The consumption that counts: base intervals not superseded by a correction, plus each
-- correction's intervals not superseded by a later one (IntervalLedger.effective in SQL).
-- correction_seq is null for a base interval.
create view if not exists consumption_effective as
select b.meter_id, b.start_time, b.end_time, b.volume_l, b.flags, null as correction_seq
from consumption b
where not exists (select 1 from consumption_corrections c
                  where c.meter_id = b.meter_id and b.start_time >= c.from_time and b.start_time < c.to_time)
union all
select i.meter_id, i.start_time, i.end_time, i.volume_l, i.flags, i.sequence as correction_seq
from consumption_correction_intervals i
where not exists (select 1 from consumption_corrections c
                  where c.meter_id = i.meter_id and c.sequence > i.sequence
                    and i.start_time >= c.from_time and i.start_time < c.to_time);

create table if not exists estimates (
    account_id                text    not null,
    cycle                     text    not null, -- YYYY-MM
    meter_id                  text    not null,
    volume_l                  integer not null check (volume_l >= 0),
    base_register_l           integer not null,
    estimated_register_l      integer not null,
    method                    text    not null check (method in ('SAME_PERIOD_LAST_YEAR', 'LAST_MONTH_DAILY_AVERAGE')),
    raised_to_previous_month  integer not null check (raised_to_previous_month in (0, 1)),
    basis                     text    not null,
    created_at                integer not null,
    primary key (account_id, cycle)
) strict;

create table if not exists true_ups (
    account_id         text    not null,
    estimated_cycle    text    not null, -- estimates.cycle
    meter_id           text    not null,
    estimated_volume_l integer not null,
    actual_register_l  integer not null,
    actual_time        integer not null,
    actual_volume_l    integer not null,
    difference_l       integer not null, -- added to (positive) or credited on (negative) the next bill
    created_at         integer not null,
    primary key (account_id, estimated_cycle)
) strict;

create table if not exists work_items (
    item_id    integer primary key,
    kind       text    not null check (kind in ('MUST_READ', 'SECOND_VISIT', 'REPLACE_METER')),
    meter_id   text    not null,
    account_id text,             -- null when the item is about a meter only
    cycle      text,             -- YYYY-MM, for reading work
    reason     text    not null,
    created_at integer not null
) strict;
create unique index if not exists work_items_once on work_items (kind, meter_id, coalesce(account_id, ''), coalesce(cycle, ''));

create table if not exists valve_decisions (
    decision_id integer primary key,
    alarm_id    integer not null,  -- alarms.alarm_id
    meter_id    text    not null,
    close       integer not null check (close in (0, 1)),
    reason      text    not null,
    decided_at  integer not null,
    outcome     text check (outcome in ('CLOSED', 'ALREADY_CLOSED', 'FAILED', 'NO_ANSWER')), -- null: the decision itself
    outcome_at  integer
) strict;
create index if not exists valve_decisions_alarm on valve_decisions (alarm_id, decision_id);
