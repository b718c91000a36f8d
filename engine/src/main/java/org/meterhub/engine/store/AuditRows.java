package org.meterhub.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The SQL of the {@code audit} table (V2, V12, V17), out of {@link JdbcMeterStore}; the same on both stores. */
final class AuditRows {
    private AuditRows() {
    }

    static void insert(Connection c, Dialect dialect, AuditEntry e) throws SQLException {
        if (e.at().isBefore(JdbcMeterStore.TIME_MIN) || !e.at().isBefore(JdbcMeterStore.TIME_END)) {
            throw new IllegalArgumentException("time " + e.at() + " outside the storable range");
        }
        try (PreparedStatement ps = c.prepareStatement("insert into audit (at, actor, action, subject, detail, client,"
                + " purpose) values (?, ?, ?, ?, ?, ?, ?)")) {
            dialect.bindTime(ps, 1, e.at().truncatedTo(ChronoUnit.MILLIS));
            ps.setString(2, e.actor());
            ps.setString(3, e.action());
            ps.setString(4, e.subject());
            ps.setString(5, e.detail());
            ps.setString(6, e.client());
            ps.setString(7, e.purpose());
            ps.executeUpdate();
        }
    }

    /** Rows with time in [lo, hi), in the order written. */
    static List<AuditEntry> between(Connection c, Dialect dialect, Instant lo, Instant hi) throws SQLException {
        List<AuditEntry> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select at, actor, action, subject, detail, client, purpose"
                + " from audit where at >= ? and at < ? order by id")) {
            dialect.bindTime(ps, 1, lo);
            dialect.bindTime(ps, 2, hi);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AuditEntry(dialect.readTime(rs, 1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
        return rows;
    }
}
