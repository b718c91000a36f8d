-- meterhub store, SQLite dialect, version 7: tariffs and bills (org.meterhub.engine.billing).
-- Same logical schema as db/postgresql/V7__billing.sql (see the comments there).
-- Times are INTEGER epoch milliseconds (UTC); days are ISO text YYYY-MM-DD in the utility's zone;
-- cycles are YYYY-MM; money and prices are decimal text (CNY), never a floating type.
-- Tariff versions, meter exchanges, bills and bill lines are append-only: a bill is never
-- changed; a re-bill is a new version that names the bill it replaces.

create table if not exists tariffs (
    tariff_id  text    not null primary key,
    classes    text    not null,   -- customer classes it applies to, comma-separated (residential,...)
    year_start text    not null,   -- MM-DD: first day of the tariff year (tier positions restart)
    loaded_at  integer not null
) strict;

create table if not exists tariff_versions (
    tariff_id  text    not null,   -- tariffs.tariff_id
    valid_from text    not null,   -- first day it applies; it applies until the next version's valid_from
    definition text    not null,   -- tiers, fixed charges and variants as JSON (engine.billing.TariffCodec)
    loaded_at  integer not null,
    primary key (tariff_id, valid_from)
) strict, without rowid;

-- Tier-threshold variants of an account (boiler heating, large household): master data, replaced.
create table if not exists billing_account_variants (
    account_id text    not null primary key,
    variants   text    not null,   -- variant names, comma-separated, applied in this order; '' = none
    updated_at integer not null
) strict;

-- Meter exchanges as the fitter recorded them (engine.consumption.MeterExchange).
create table if not exists meter_exchanges (
    new_meter_id   text    not null,
    time           integer not null,
    old_meter_id   text    not null,
    old_final_l    integer not null check (old_final_l >= 0),
    new_first_l    integer not null check (new_first_l >= 0),
    new_capacity_l integer not null check (new_capacity_l > 0),
    recorded_by    text    not null,
    primary key (new_meter_id, time)
) strict, without rowid;
create index if not exists meter_exchanges_old on meter_exchanges (old_meter_id, time);

create table if not exists bills (
    bill_id          integer primary key,
    account_id       text    not null,
    cycle            text    not null,  -- YYYY-MM
    version          integer not null check (version > 0),
    replaces_bill_id integer,           -- the version this one replaces (cancel/rebill); null for version 1
    reason           text    not null,
    tariff_id        text    not null,
    variants         text    not null,
    period_first     text    not null,  -- first billed day
    period_last      text    not null,  -- last billed day (inclusive)
    total            text    not null,  -- sum of the lines' amounts, CNY
    created_at       integer not null,
    unique (account_id, cycle, version)
) strict;
create index if not exists bills_cycle on bills (cycle, account_id);

create table if not exists bill_lines (
    bill_id        integer not null,  -- bills.bill_id
    line_no        integer not null,
    kind           text    not null check (kind in ('USAGE', 'ESTIMATE', 'TRUE_UP', 'CORRECTION', 'FIXED')),
    meter_id       text,              -- null for fixed charges
    first_day      text    not null,
    last_day       text    not null,
    tariff_version text    not null,  -- tariff_versions.valid_from of the version that priced it
    tier           integer,           -- 1..n; null for fixed charges
    tariff_year    integer,           -- tariff year whose tier position it counts in; null for fixed
    volume_l       integer not null,  -- signed: a true-up or correction may credit
    unit_price     text    not null,  -- CNY per m3, or per month for fixed charges
    amount         text    not null,  -- CNY, half-up to the fen
    estimated      integer not null check (estimated in (0, 1)),
    explanation    text    not null,
    primary key (bill_id, line_no)
) strict, without rowid;
