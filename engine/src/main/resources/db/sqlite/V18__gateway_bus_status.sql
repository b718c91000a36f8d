-- Each gateway's buses as it last reported them (engine.gateways.JdbcGatewayStatus), for the console's Gateways
-- page: DTU dial-ins, serial lines, Modbus TCP peers, the MQTT uplink. Replaced with the gateway's row in the same
-- transaction (a gauge of live state like gateway_status, not a record: the history is in Prometheus).
create table if not exists gateway_bus_status (
    gateway_id    text    not null,
    position      integer not null,  -- the gateway's order of its buses
    kind          text    not null,  -- dtu-cjt188, dtu-modbus, serial-cjt188, serial-modbus, modbus-tcp, ..., mqtt-uplink
    name          text    not null,  -- DTU id, serial port, host:port: infrastructure, never a meter id
    connected     integer not null,  -- 1 or 0
    polls_ok      integer not null,  -- in the last window_s seconds
    polls_failed  integer not null,  -- after retries, in the last window_s seconds
    window_s      integer not null,
    last_ok_at    integer,           -- epoch ms UTC, the gateway's clock; null: none since it started
    last_error_at integer,
    last_error    text,              -- the failure's kind (timeout, bad_reply, ...), never its message
    primary key (gateway_id, position)
) strict;
