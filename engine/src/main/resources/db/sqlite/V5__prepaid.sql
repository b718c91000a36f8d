-- meterhub store, SQLite dialect, version 5: prepaid (IC-card) meters: purchases and the shadow
-- ledger's per-meter state (org.meterhub.engine.prepaid).
--
-- Same logical schema as db/postgresql/V5__prepaid.sql. Amounts are decimal text so that no
-- floating type ever holds money or credit; times are epoch milliseconds (UTC).
-- "if not exists": stores that ran the gateway before this migration already hold the
-- purchases table with this exact layout, and keep their rows.

create table if not exists prepaid_purchases (
    purchase_id text    not null primary key,
    meter_id    text    not null,
    time_ms     bigint  not null,
    amount      text    not null,          -- decimal text, e.g. 20.000 (m3) or 100.50 (CNY)
    unit        text    not null,          -- M3 | CNY
    imported_ms bigint  not null
);
create index if not exists prepaid_purchases_meter on prepaid_purchases (meter_id, time_ms);

-- One row per meter, replaced after every balance report: enough to continue the ledger after a
-- restart instead of re-anchoring on the next report (which would forget a mismatch in progress).
create table if not exists prepaid_ledger (
    meter_id           text    not null primary key,
    unit               text    not null,   -- M3 | CNY
    anchor_ms          bigint  not null,   -- the report the account is reckoned from
    anchor_volume_l    bigint  not null,
    anchor_balance     text    not null,   -- the balance basis, decimal text
    last_ms            bigint  not null,   -- the latest report taken into account
    last_volume_l      bigint  not null,
    last_reported      text    not null,
    last_expected      text,               -- null for money meters (not compared)
    purchases_applied  text    not null,   -- purchases counted since the anchor at the latest report
    mismatch           integer not null,   -- alarm states (0/1), so that edges survive a restart
    low                integer not null,
    overdraft          integer not null,
    replacement_issued integer not null
);
