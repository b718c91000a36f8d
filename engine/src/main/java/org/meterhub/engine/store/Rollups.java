package org.meterhub.engine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.query.Step;

/**
 * The engine-maintained rollups: what newly inserted intervals add to their hour, billing day
 * and month. Applied in the transaction that inserted the intervals, so a rollup always equals
 * the sum of the consumption rows it covers (a replayed interval is not new and adds nothing).
 */
final class Rollups {

    /** Table of each step. */
    static String table(Step step) {
        return switch (step) {
            case HOUR -> "consumption_hourly";
            case DAY -> "consumption_daily";
            case MONTH -> "consumption_monthly";
        };
    }

    private Rollups() {
    }

    /** Accumulated addition to one bucket. */
    private static final class Delta {
        long volumeL;
        int intervals;
        int flagBits;
    }

    private record Key(String meterId, Instant bucket) {
    }

    /** Adds the intervals (each newly stored) to the three rollups. */
    static void add(Connection c, Dialect dialect, ZoneId zone, Collection<ConsumptionInterval> fresh)
            throws SQLException {
        if (fresh.isEmpty()) {
            return;
        }
        for (Step step : Step.values()) {
            Map<Key, Delta> deltas = new LinkedHashMap<>();
            for (ConsumptionInterval i : fresh) {
                Delta d = deltas.computeIfAbsent(new Key(i.meterId(), step.floor(i.start(), zone)), k -> new Delta());
                d.volumeL = Math.addExact(d.volumeL, i.volumeL());
                d.intervals++;
                d.flagBits |= bits(i.flags());
            }
            upsert(c, dialect, table(step), deltas);
        }
    }

    private static void upsert(Connection c, Dialect dialect, String table, Map<Key, Delta> deltas)
            throws SQLException {
        // Keys are unique within the batch, so a multi-row rewrite never hits the same row twice.
        try (PreparedStatement ps = c.prepareStatement("insert into " + table
                + " (meter_id, bucket, volume_l, intervals, flag_bits) values (?, ?, ?, ?, ?)"
                + " on conflict (meter_id, bucket) do update set volume_l = " + table + ".volume_l + excluded.volume_l,"
                + " intervals = " + table + ".intervals + excluded.intervals,"
                + " flag_bits = " + table + ".flag_bits | excluded.flag_bits")) {
            int rows = 0;
            for (Map.Entry<Key, Delta> e : deltas.entrySet()) {
                ps.setString(1, e.getKey().meterId());
                dialect.bindTime(ps, 2, e.getKey().bucket());
                ps.setLong(3, e.getValue().volumeL);
                ps.setInt(4, e.getValue().intervals);
                ps.setInt(5, e.getValue().flagBits);
                ps.addBatch();
                if (++rows % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    static int bits(Set<IntervalFlag> flags) {
        int bits = 0;
        for (IntervalFlag f : flags) {
            bits |= 1 << f.ordinal();
        }
        return bits;
    }

    static Set<IntervalFlag> flags(int bits) {
        Set<IntervalFlag> flags = EnumSet.noneOf(IntervalFlag.class);
        for (IntervalFlag f : IntervalFlag.values()) {
            if ((bits & (1 << f.ordinal())) != 0) {
                flags.add(f);
            }
        }
        return flags;
    }

    /** SQL giving the OR of flag_bits over a group, in both dialects (neither shares a bit_or). */
    static String flagBitsOfRollup(String alias) {
        StringBuilder sql = new StringBuilder();
        for (IntervalFlag f : IntervalFlag.values()) {
            sql.append(sql.length() == 0 ? "" : " + ").append("max(").append(alias).append(".flag_bits & ")
                    .append(1 << f.ordinal()).append(")");
        }
        return sql.toString();
    }

    /** The same OR, computed from the text flags of raw consumption rows. */
    static String flagBitsOfConsumption(String alias) {
        StringBuilder sql = new StringBuilder();
        for (IntervalFlag f : IntervalFlag.values()) {
            sql.append(sql.length() == 0 ? "" : " + ").append("max(case when (',' || ").append(alias)
                    .append(".flags || ',') like '%,").append(f.name()).append(",%' then ").append(1 << f.ordinal())
                    .append(" else 0 end)");
        }
        return sql.toString();
    }
}
