package org.meterhub.engine.gateways;

import java.util.List;
import java.util.Objects;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * The gateways' latest status in the store's database (table {@code gateway_status}, migration V16):
 * one row per gateway, replaced by its next report. Unlike readings and alarms this is not a record
 * of what happened but a gauge of how things stand now, so it is overwritten rather than appended:
 * the table stays as small as the fleet of gateways, and the history is in Prometheus.
 */
public final class JdbcGatewayStatus {
    private final SqlDatabase db;

    public JdbcGatewayStatus(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Replaces the gateway's status, unless the stored one was reported later (reports can arrive out of order). */
    public void save(GatewayStatus s) {
        db.tx("save gateway status", c -> {
            int replaced = SqlDatabase.update(c, "insert into gateway_status (gateway_id, reported_at,"
                + " dtus_connected, dtus_configured, meters_online, meters_configured, polls_ok, polls_failed,"
                + " journal_backlog, journal_level) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (gateway_id) do update"
                + " set reported_at = excluded.reported_at, dtus_connected = excluded.dtus_connected,"
                + " dtus_configured = excluded.dtus_configured, meters_online = excluded.meters_online,"
                + " meters_configured = excluded.meters_configured, polls_ok = excluded.polls_ok,"
                + " polls_failed = excluded.polls_failed, journal_backlog = excluded.journal_backlog,"
                + " journal_level = excluded.journal_level where gateway_status.reported_at <= excluded.reported_at", ps -> {
                    ps.setString(1, s.gatewayId());
                    db.bindTime(ps, 2, s.reportedAt());
                    ps.setInt(3, s.dtusConnected());
                    ps.setInt(4, s.dtusConfigured());
                    ps.setInt(5, s.metersOnline());
                    ps.setInt(6, s.metersConfigured());
                    ps.setLong(7, s.pollsOk());
                    ps.setLong(8, s.pollsFailed());
                    ps.setLong(9, s.journalBacklog());
                    ps.setString(10, s.journalLevel());
                });
            if (replaced == 0) return null; // a later report is stored: its buses stay too
            SqlDatabase.update(c, "delete from gateway_bus_status where gateway_id = ?", ps -> ps.setString(1, s.gatewayId()));
            for (int i = 0; i < s.buses().size(); i++) {
                BusStatus b = s.buses().get(i);
                int position = i;
                SqlDatabase.update(c, "insert into gateway_bus_status (gateway_id, position, kind, name, connected, polls_ok,"
                        + " polls_failed, window_s, last_ok_at, last_error_at, last_error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                            ps.setString(1, s.gatewayId());
                            ps.setInt(2, position);
                            ps.setString(3, b.kind());
                            ps.setString(4, b.name());
                            ps.setBoolean(5, b.connected());
                            ps.setLong(6, b.pollsOk());
                            ps.setLong(7, b.pollsFailed());
                            ps.setLong(8, b.window().toSeconds());
                            db.bindTime(ps, 9, java.util.Optional.ofNullable(b.lastOk()));
                            db.bindTime(ps, 10, java.util.Optional.ofNullable(b.lastErrorAt()));
                            ps.setString(11, b.lastError());
                        });
            }
            return null;
        });
    }

    /** Every gateway's latest status with its buses, by gateway id (two statements, in one transaction). */
    public List<GatewayStatus> all() {
        return db.tx("gateway status", c -> {
            java.util.Map<String, List<BusStatus>> buses = new java.util.HashMap<>();
            SqlDatabase.query(c, "select gateway_id, kind, name, connected, polls_ok, polls_failed, window_s, last_ok_at,"
                    + " last_error_at, last_error from gateway_bus_status order by gateway_id, position", ps -> { }, rs -> {
                        buses.computeIfAbsent(rs.getString(1), g -> new java.util.ArrayList<>()).add(new BusStatus(
                                rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5), rs.getLong(6),
                                java.time.Duration.ofSeconds(rs.getLong(7)), db.readOptionalTime(rs, 8).orElse(null),
                                db.readOptionalTime(rs, 9).orElse(null), rs.getString(10)));
                        return null;
                    });
            return SqlDatabase.query(c, "select gateway_id, reported_at, dtus_connected,"
                    + " dtus_configured, meters_online, meters_configured, polls_ok, polls_failed, journal_backlog, journal_level"
                    + " from gateway_status order by gateway_id", ps -> { }, rs -> new GatewayStatus(rs.getString(1),
                    db.readTime(rs, 2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getLong(7), rs.getLong(8),
                    rs.getLong(9), rs.getString(10), buses.getOrDefault(rs.getString(1), List.of())));
        });
    }
}
