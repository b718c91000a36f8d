package org.meterhub.gateway.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The uplinks the journal has taken, by meter and seq (tables {@code uplink_seen} and
 * {@code uplink_conflicts} in the journal's SQLite file), written in the journal's own transactions.
 *
 * <p>Bounded two ways: a meter has {@link #SLOTS} slots ({@code seq mod SLOTS}), so a meter's newer
 * seq replaces the one 64 before it; and slots older than the retention (measured from the newest
 * mark, not from the wall clock, so a gateway that was down for a week still knows what it took
 * just before) are deleted by {@link #prune}. Not thread-safe: the journal calls it under its lock.
 */
final class UplinkMarks {
    /** Per meter: as many seqs as the gateway's in-memory duplicate window. */
    static final int SLOTS = 64;

    private PreparedStatement upsert;
    private PreparedStatement select;
    private PreparedStatement conflict;

    static void createTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create table if not exists uplink_seen (meter_id text not null, slot integer not null,"
                    + " seq integer not null, digest integer not null, seen_ms integer not null,"
                    + " primary key (meter_id, slot)) without rowid");
            s.execute("create index if not exists uplink_seen_age on uplink_seen (seen_ms)");
            s.execute("create table if not exists uplink_conflicts (id integer primary key autoincrement,"
                    + " meter_id text not null, seq integer not null, received_ms integer not null,"
                    + " first_digest integer not null, digest integer not null, payload text not null)");
        }
    }

    /**
     * Records the mark in the current transaction.
     *
     * @return NEW when this meter's seq was not taken before (or only beyond the window), DUPLICATE when
     *         it was with the same digest, CONFLICT (also recorded) when with another
     */
    UplinkOutcome record(Connection c, UplinkMark m) throws SQLException {
        if (upsert == null) {
            // One statement on the normal path: a new seq takes the slot; the same seq leaves it alone (0 changes).
            upsert = c.prepareStatement("insert into uplink_seen (meter_id, slot, seq, digest, seen_ms) values (?,?,?,?,?)"
                    + " on conflict (meter_id, slot) do update set seq = excluded.seq, digest = excluded.digest,"
                    + " seen_ms = excluded.seen_ms where uplink_seen.seq <> excluded.seq");
            select = c.prepareStatement("select digest from uplink_seen where meter_id = ? and slot = ?");
        }
        int slot = (int) Math.floorMod(m.seq(), (long) SLOTS);
        upsert.setString(1, m.meterId());
        upsert.setInt(2, slot);
        upsert.setLong(3, m.seq());
        upsert.setLong(4, m.digest());
        upsert.setLong(5, m.receivedAt().toEpochMilli());
        if (upsert.executeUpdate() == 1) return UplinkOutcome.NEW;
        long first;
        select.setString(1, m.meterId());
        select.setInt(2, slot);
        try (ResultSet rs = select.executeQuery()) {
            rs.next();
            first = rs.getLong(1);
        }
        if (first == m.digest()) return UplinkOutcome.DUPLICATE;
        if (conflict == null) {
            conflict = c.prepareStatement("insert into uplink_conflicts (meter_id, seq, received_ms, first_digest, digest,"
                    + " payload) values (?,?,?,?,?,?)");
        }
        conflict.setString(1, m.meterId());
        conflict.setLong(2, m.seq());
        conflict.setLong(3, m.receivedAt().toEpochMilli());
        conflict.setLong(4, first);
        conflict.setLong(5, m.digest());
        conflict.setString(6, new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8));
        conflict.executeUpdate();
        return UplinkOutcome.CONFLICT;
    }

    /** Deletes marks older than {@code retention} before the newest one; returns how many. */
    static int prune(Connection c, Duration retention) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "delete from uplink_seen where seen_ms < (select max(seen_ms) from uplink_seen) - ?")) {
            ps.setLong(1, retention.toMillis());
            return ps.executeUpdate();
        }
    }

    static List<UplinkConflict> conflicts(Connection c) throws SQLException {
        List<UplinkConflict> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select meter_id, seq, received_ms, payload from uplink_conflicts order by id")) {
            while (rs.next()) {
                out.add(new UplinkConflict(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
            }
        }
        return out;
    }

    void close() {
        for (PreparedStatement ps : new PreparedStatement[] {upsert, select, conflict}) {
            if (ps == null) continue;
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing after a failure; the failure itself was reported
            }
        }
        upsert = select = conflict = null;
    }

}
