-- meterhub store, SQLite dialect, version 9: accuracy tests and disputes (org.meterhub.engine.accuracy)
-- and meter lifecycle records (org.meterhub.engine.lifecycle). Same logical schema as
-- db/postgresql/V9__accuracy_lifecycle.sql. Append-only: a test, a case event or a meter state
-- change is a new dated row; nothing is updated in place. Days are ISO text YYYY-MM-DD (utility's
-- zone); money and flow rates are decimal text, test volumes whole millilitres.

create table if not exists accuracy_tests (
    test_id     integer primary key,
    meter_id    text    not null,
    test_date   text    not null,
    lab         text    not null,   -- laboratory / test bench
    qmin_m3h    text    not null,   -- the meter's Qmin and Qmax, m3/h (decimal text)
    qmax_m3h    text    not null,
    source      text    not null,   -- e.g. the imported file and its first line
    recorded_at integer not null,
    unique (meter_id, test_date, lab)
) strict;

create table if not exists accuracy_test_points (
    test_id      integer not null,  -- accuracy_tests.test_id
    point_no     integer not null,
    flow_m3h     text    not null,  -- flow rate of the point, m3/h (decimal text)
    reference_ml integer not null check (reference_ml > 0),
    meter_ml     integer not null check (meter_ml >= 0),
    primary key (test_id, point_no)
) strict, without rowid;

create table if not exists dispute_cases (
    case_id           integer primary key,
    account_id        text    not null,
    meter_id          text    not null,  -- the disputed meter
    requested_on      text    not null,  -- day of the customer's test request
    past_service_life integer not null check (past_service_life in (0, 1)),
    opened_at         integer not null
) strict;

create table if not exists dispute_events (
    case_id     integer not null,  -- dispute_cases.case_id
    seq         integer not null,
    day         text    not null,
    kind        text    not null,  -- engine.accuracy.DisputeEvent.Kind
    amount      text,              -- CNY for deposits and fees
    meter_id    text,              -- the meter fitted, refitted or kept
    test_id     integer,           -- accuracy_tests.test_id of a test result
    bill_id     integer,           -- bills.bill_id of a re-bill
    detail      text    not null,
    recorded_at integer not null,
    primary key (case_id, seq)
) strict, without rowid;

create table if not exists meter_records (
    meter_id           text    not null primary key,
    brand              text    not null,
    model              text    not null,
    serial             text    not null,
    production_date    text    not null,
    first_verification text    not null,
    gas_type           text    not null check (gas_type in ('NATURAL_GAS', 'LPG')),
    refurbished        integer not null check (refurbished in (0, 1)),
    recorded_at        integer not null
) strict;

create table if not exists meter_state_events (
    meter_id    text    not null,  -- meter_records.meter_id
    seq         integer not null,
    day         text    not null,
    state       text    not null check (state in ('IN_STOCK', 'ISSUED', 'INSTALLED', 'REMOVED', 'UNDER_TEST', 'SCRAPPED')),
    detail      text    not null,
    recorded_at integer not null,
    primary key (meter_id, seq)
) strict, without rowid;

-- Bill lines gain the kind ADJUSTMENT (an accuracy dispute's re-bill by the measured error).
-- SQLite cannot change a check constraint: the table is rebuilt with the same rows.
create table bill_lines_v9 (
    bill_id        integer not null,
    line_no        integer not null,
    kind           text    not null check (kind in ('USAGE', 'ESTIMATE', 'TRUE_UP', 'CORRECTION', 'FIXED', 'ADJUSTMENT')),
    meter_id       text,
    first_day      text    not null,
    last_day       text    not null,
    tariff_version text    not null,
    tier           integer,
    tariff_year    integer,
    volume_l       integer not null,
    unit_price     text    not null,
    amount         text    not null,
    estimated      integer not null check (estimated in (0, 1)),
    explanation    text    not null,
    primary key (bill_id, line_no)
) strict, without rowid;
insert into bill_lines_v9 select * from bill_lines;
drop table bill_lines;
alter table bill_lines_v9 rename to bill_lines;
