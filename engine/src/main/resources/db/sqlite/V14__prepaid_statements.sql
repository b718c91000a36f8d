-- meterhub store, SQLite dialect, version 14: prepaid (IC-card) statements
-- (org.meterhub.engine.billing.PrepaidStatements) and the history of balance reports they reconcile
-- against (org.meterhub.engine.prepaid). Same logical schema in both dialects. Times are epoch
-- milliseconds (UTC) and money/credit decimal text, as in V5; days ISO text in the utility's zone.
-- Statements and their lines are append-only like bills: a re-statement is a new version naming
-- the statement it replaces.

create table if not exists prepaid_balance_reports (
    meter_id  text   not null,
    time_ms   bigint not null,
    volume_l  bigint not null,
    balance   text   not null,
    unit      text   not null,
    primary key (meter_id, time_ms)
);

create table if not exists prepaid_statements (
    statement_id          integer primary key,
    account_id            text    not null,
    meter_id              text    not null,
    cycle                 text    not null,
    version               integer not null check (version > 0),
    replaces_statement_id bigint,
    reason                text    not null,
    tariff_id             text    not null,
    variants              text    not null,
    period_first          text    not null,
    period_last           text    not null,
    unit                  text    not null,
    opening_balance       text,
    opening_ms            bigint,
    purchased             text    not null,
    purchases             integer not null,
    closing_balance       text,
    closing_ms            bigint,
    deducted              text,
    metered_l             bigint  not null,
    charged               text    not null,
    reconciliation        text,
    total                 text    not null,
    created_ms            bigint  not null,
    unique (account_id, cycle, version)
);
create index if not exists prepaid_statements_cycle on prepaid_statements (cycle, account_id);

create table if not exists prepaid_statement_lines (
    statement_id   bigint  not null,
    line_no        integer not null,
    kind           text    not null,
    meter_id       text,
    first_day      text    not null,
    last_day       text    not null,
    tariff_version text    not null,
    tier           integer,
    tariff_year    integer,
    volume_l       bigint  not null,
    unit_price     text    not null,
    amount         text    not null,
    estimated      integer not null check (estimated in (0, 1)),
    explanation    text    not null,
    primary key (statement_id, line_no)
);
