-- meterhub store, PostgreSQL dialect, version 2: meter attributes, accounts, audit, rollups.
--
-- Same logical schema as db/sqlite/V2__schema_extensions.sql. Only plain tables here: how
-- readings and consumption are laid out in time (TimescaleDB hypertables with compression and
-- continuous aggregates, or monthly RANGE partitions plus engine-maintained rollups on plain
-- PostgreSQL) is decided by the store at open, because it depends on whether the timescaledb
-- extension exists (see PgTimeLayout and docs/store-and-api.md).

alter table meters add column if not exists meter_type text;
alter table meters add column if not exists customer_class text
    check (customer_class in ('residential', 'commercial', 'industrial'));
alter table meters add column if not exists accuracy_class text;
alter table meters add column if not exists qmax_lph bigint check (qmax_lph > 0);
alter table meters add column if not exists first_verification date;
alter table meters add column if not exists district_id text;
alter table meters add column if not exists location text;
alter table meters add column if not exists role text not null default 'customer'
    check (role in ('customer', 'district_inlet'));
comment on column meters.meter_type is 'Kind of meter, e.g. AMR (remote-read) or IC_CARD (prepaid); null = not recorded.';
comment on column meters.customer_class is 'residential, commercial or industrial; commercial and industrial are never estimated. Null = not recorded.';
comment on column meters.accuracy_class is 'Accuracy class as on the type plate, e.g. 1.5 (+-1.5 % in Qt..Qmax) or 1.0.';
comment on column meters.qmax_lph is 'Qmax, the maximum flow rate, in litres per hour (6 m3/h = 6000).';
comment on column meters.first_verification is 'Date of the first (initial) verification; meters are issued oldest first.';
comment on column meters.district_id is 'Supply district (DMA) the meter belongs to; districts are balanced against their inlet meters.';
comment on column meters.location is 'Where the meter is installed (building/riser/room code); never a customer name.';
comment on column meters.role is 'customer (billed) or district_inlet (bulk meter feeding district_id; used for the district balance).';

create table if not exists accounts (
    account_id     text        not null primary key,
    meter_id       text,
    state          text        not null check (state in ('registered', 'awaiting_ignition', 'ignited',
                                                         'vacant', 'removed', 'suspended', 'sealed')),
    customer_class text        not null check (customer_class in ('residential', 'commercial', 'industrial')),
    district_id    text,
    ignited_on     date,
    updated_at     timestamptz not null
);
comment on table accounts is 'Supply accounts (no customer names or contact data). Accounts to read = ignited minus those ignited this month; every other state is not read.';
comment on column accounts.account_id is 'The utility''s account number.';
comment on column accounts.meter_id is 'meters.meter_id of the meter serving the account (null while none is installed).';
comment on column accounts.state is 'registered, awaiting_ignition, ignited, vacant, removed, suspended or sealed.';
comment on column accounts.customer_class is 'residential, commercial or industrial.';
comment on column accounts.district_id is 'Supply district of the account.';
comment on column accounts.ignited_on is 'Date gas was first supplied (state ignited); null before.';
comment on column accounts.updated_at is 'When this row last changed.';
create index if not exists accounts_state on accounts (state);

create table if not exists audit (
    id      bigint      generated always as identity primary key,
    at      timestamptz not null,
    actor   text        not null,
    action  text        not null,
    subject text        not null,
    detail  text        not null default '',
    client  text        not null default ''
);
comment on table audit is 'Who accessed which metering data, when. Every API data access writes one row before the data is sent. Append-only.';
comment on column audit.id is 'Sequence number.';
comment on column audit.at is 'When the access happened.';
comment on column audit.actor is 'Authenticated user or service name as the API received it (X-Meterhub-User), or anonymous.';
comment on column audit.action is 'What was asked, e.g. GET /api/v1/meters/{id}/consumption or cli query readings.';
comment on column audit.subject is 'Whose data: a meter id, district:<id>, or * for fleet-wide queries.';
comment on column audit.detail is 'The query parameters, e.g. from=...&to=...&step=1h.';
comment on column audit.client is 'Remote address of the caller.';
create index if not exists audit_at on audit (at);

create table if not exists store_settings (
    key   text not null primary key,
    value text not null
);
comment on table store_settings is 'Settings fixed when the store was created, e.g. rollup_zone (the zone of daily and monthly rollup buckets).';
comment on column store_settings.key is 'Setting name.';
comment on column store_settings.value is 'Setting value.';
insert into store_settings (key, value) values ('rollup_zone', 'Asia/Shanghai') on conflict (key) do nothing;

-- Rollups of consumption: one row per meter and bucket. On plain PostgreSQL the engine adds
-- each newly inserted interval to its hour, billing day and month in the same transaction; with
-- TimescaleDB these three tables are replaced by continuous aggregates with the same columns.
create table if not exists consumption_hourly (
    meter_id  text        not null,
    bucket    timestamptz not null,
    volume_l  bigint      not null check (volume_l >= 0),
    intervals integer     not null check (intervals > 0),
    flag_bits integer     not null default 0,
    primary key (meter_id, bucket)
);
comment on table consumption_hourly is 'Consumption per meter and hour: time_bucket(''1 hour'', start_time). Exact sums of consumption rows.';
comment on column consumption_hourly.meter_id is 'meters.meter_id.';
comment on column consumption_hourly.bucket is 'Start of the hour.';
comment on column consumption_hourly.volume_l is 'Litres in the bucket.';
comment on column consumption_hourly.intervals is 'Number of consumption rows summed.';
comment on column consumption_hourly.flag_bits is 'OR of the interval flags, bit n = IntervalFlag ordinal n: 1 SPREAD, 2 ROLLOVER, 4 REGISTER_DECREASE, 8 ESTIMATED, 16 METER_EXCHANGE, 32 CORRECTED.';

create table if not exists consumption_daily (
    meter_id  text        not null,
    bucket    timestamptz not null,
    volume_l  bigint      not null check (volume_l >= 0),
    intervals integer     not null check (intervals > 0),
    flag_bits integer     not null default 0,
    primary key (meter_id, bucket)
);
comment on table consumption_daily is 'Consumption per meter and billing day: time_bucket(''1 day'', start_time, rollup_zone).';
comment on column consumption_daily.meter_id is 'meters.meter_id.';
comment on column consumption_daily.bucket is 'Local midnight (store_settings.rollup_zone) starting the day.';
comment on column consumption_daily.volume_l is 'Litres in the bucket.';
comment on column consumption_daily.intervals is 'Number of consumption rows summed.';
comment on column consumption_daily.flag_bits is 'OR of the interval flags, bit n = IntervalFlag ordinal n: 1 SPREAD, 2 ROLLOVER, 4 REGISTER_DECREASE, 8 ESTIMATED, 16 METER_EXCHANGE, 32 CORRECTED.';

create table if not exists consumption_monthly (
    meter_id  text        not null,
    bucket    timestamptz not null,
    volume_l  bigint      not null check (volume_l >= 0),
    intervals integer     not null check (intervals > 0),
    flag_bits integer     not null default 0,
    primary key (meter_id, bucket)
);
comment on table consumption_monthly is 'Consumption per meter and calendar month: time_bucket(''1 month'', start_time, rollup_zone).';
comment on column consumption_monthly.meter_id is 'meters.meter_id.';
comment on column consumption_monthly.bucket is 'Local midnight (store_settings.rollup_zone) of the first day of the month.';
comment on column consumption_monthly.volume_l is 'Litres in the bucket.';
comment on column consumption_monthly.intervals is 'Number of consumption rows summed.';
comment on column consumption_monthly.flag_bits is 'OR of the interval flags, bit n = IntervalFlag ordinal n: 1 SPREAD, 2 ROLLOVER, 4 REGISTER_DECREASE, 8 ESTIMATED, 16 METER_EXCHANGE, 32 CORRECTED.';
create index if not exists consumption_monthly_bucket on consumption_monthly (bucket);
