-- meterhub store, SQLite dialect, version 2: meter attributes, accounts, audit, rollups.
-- Same logical schema as db/postgresql/V2__schema_extensions.sql (see the comments there).
-- Times are INTEGER epoch milliseconds (UTC); dates are ISO text (YYYY-MM-DD).

alter table meters add column meter_type text;          -- AMR, IC_CARD, ...; null = not recorded
alter table meters add column customer_class text
    check (customer_class in ('residential', 'commercial', 'industrial'));
alter table meters add column accuracy_class text;      -- e.g. 1.5 or 1.0
alter table meters add column qmax_lph integer check (qmax_lph > 0); -- Qmax, litres per hour
alter table meters add column first_verification text; -- YYYY-MM-DD
alter table meters add column district_id text;        -- supply district (DMA)
alter table meters add column location text;           -- installation code; never a customer name
alter table meters add column role text not null default 'customer'
    check (role in ('customer', 'district_inlet'));

-- Supply accounts (no customer names). Accounts to read = ignited minus ignited this month.
create table if not exists accounts (
    account_id     text    not null primary key,
    meter_id       text,
    state          text    not null check (state in ('registered', 'awaiting_ignition', 'ignited',
                                                     'vacant', 'removed', 'suspended', 'sealed')),
    customer_class text    not null check (customer_class in ('residential', 'commercial', 'industrial')),
    district_id    text,
    ignited_on     text,             -- YYYY-MM-DD
    updated_at     integer not null  -- epoch ms UTC
) strict;
create index if not exists accounts_state on accounts (state);

-- Who accessed which metering data, when. Append-only.
create table if not exists audit (
    id      integer primary key,      -- sequence number
    at      integer not null,         -- epoch ms UTC
    actor   text    not null,
    action  text    not null,
    subject text    not null,         -- meter id, district:<id> or *
    detail  text    not null default '',
    client  text    not null default ''
) strict;
create index if not exists audit_at on audit (at);

create table if not exists store_settings (
    key   text not null primary key,
    value text not null
) strict;
insert into store_settings (key, value) values ('rollup_zone', 'Asia/Shanghai') on conflict (key) do nothing;

-- Rollups maintained by the engine in the append transaction (flag_bits: bit n = IntervalFlag
-- ordinal n: 1 SPREAD, 2 ROLLOVER, 4 REGISTER_DECREASE, 8 ESTIMATED, 16 METER_EXCHANGE, 32 CORRECTED).
create table if not exists consumption_hourly (
    meter_id  text    not null,
    bucket    integer not null, -- start of the hour, epoch ms UTC
    volume_l  integer not null check (volume_l >= 0),
    intervals integer not null check (intervals > 0),
    flag_bits integer not null default 0,
    primary key (meter_id, bucket)
) strict, without rowid;

create table if not exists consumption_daily (
    meter_id  text    not null,
    bucket    integer not null, -- local midnight in rollup_zone, epoch ms UTC
    volume_l  integer not null check (volume_l >= 0),
    intervals integer not null check (intervals > 0),
    flag_bits integer not null default 0,
    primary key (meter_id, bucket)
) strict, without rowid;

create table if not exists consumption_monthly (
    meter_id  text    not null,
    bucket    integer not null, -- local midnight of the 1st in rollup_zone, epoch ms UTC
    volume_l  integer not null check (volume_l >= 0),
    intervals integer not null check (intervals > 0),
    flag_bits integer not null default 0,
    primary key (meter_id, bucket)
) strict, without rowid;
create index if not exists consumption_monthly_bucket on consumption_monthly (bucket);
