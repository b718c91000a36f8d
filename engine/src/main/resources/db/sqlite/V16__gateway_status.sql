-- The gateways' status as each last reported it (engine.gateways.JdbcGatewayStatus), for the console's
-- Gateways page: one row per gateway, replaced by its next report. It is a gauge of live state, like the
-- journal's pending count, not a measurement record: its history is in Prometheus (each gateway's /metrics).
create table if not exists gateway_status (
    gateway_id        text    primary key,
    reported_at       integer not null,  -- epoch ms UTC, the gateway's clock
    dtus_connected    integer not null,
    dtus_configured   integer not null,
    meters_online     integer not null,
    meters_configured integer not null,
    polls_ok          integer not null,  -- since the gateway process started
    polls_failed      integer not null,  -- after retries, since the gateway process started
    journal_backlog   integer not null,  -- readings journalled, not yet acknowledged by the store
    journal_level     text    not null   -- OK, NEARLY_FULL, FULL
) strict;

-- The console's meter page lists a meter's valve decisions, estimates, retirements and true-ups:
-- by meter, not by the alarm or account the tables are keyed by.
create index if not exists valve_decisions_meter on valve_decisions (meter_id, decision_id);
create index if not exists estimates_meter on estimates (meter_id, cycle);
create index if not exists true_ups_meter on true_ups (meter_id, estimated_cycle);
create index if not exists estimate_retirements_meter on estimate_retirements (meter_id, cycle);
