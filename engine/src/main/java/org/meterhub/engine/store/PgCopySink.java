package org.meterhub.engine.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Appends through binary {@code COPY} (pgjdbc's CopyManager), inside the caller's transaction.
 *
 * <p>{@link Mode#DIRECT_FIRST} copies a batch straight into the (partitioned) table under a
 * savepoint; a batch that holds a key already stored (a replay) fails as a whole with a unique
 * violation, is rolled back to the savepoint and goes the staging way. {@link Mode#STAGING}
 * always copies into a temporary staging table and moves the rows with
 * {@code INSERT … SELECT … ON CONFLICT DO NOTHING}. The benchmark
 * ({@code org.meterhub.benchmarks.store.IngestBenchmark}) measures both; fresh data is the common
 * case, so direct-first is the default.
 */
final class PgCopySink {

    /** How fresh batches are written. */
    enum Mode { DIRECT_FIRST, STAGING }

    static final String READING_COLUMNS = "meter_id, time, source, received_at, volume_l, flags, status_bits,"
            + " meter_time";
    static final String INTERVAL_COLUMNS = "meter_id, start_time, end_time, volume_l, flags";
    private static final String UNIQUE_VIOLATION = "23505";
    /** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01 (UTC). */
    private static final long PG_EPOCH_MS = 946_684_800_000L;
    private static final byte[][] SOURCES = Arrays.stream(ReadingSource.values())
            .map(s -> s.name().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private final Mode mode;
    private long replays;

    PgCopySink(Mode mode) {
        this.mode = mode;
    }

    /** Batches that held an already stored key and went through staging. */
    long replays() {
        return replays;
    }

    /** Writes both lists; returns the intervals that were newly stored. */
    List<ConsumptionInterval> insert(Connection c, List<Reading> readings, List<ConsumptionInterval> intervals)
            throws SQLException {
        if (!readings.isEmpty()) {
            byte[] data = encodeReadings(readings);
            if (mode == Mode.STAGING || !direct(c, "readings", READING_COLUMNS, data)) {
                staged(c, "readings", READING_COLUMNS, data, false);
            }
        }
        if (intervals.isEmpty()) {
            return List.of();
        }
        byte[] data = encodeIntervals(intervals);
        if (mode == Mode.DIRECT_FIRST && direct(c, "consumption", INTERVAL_COLUMNS, data)) {
            return intervals; // every row was new
        }
        List<ConsumptionInterval> fresh = new ArrayList<>();
        try (ResultSet rs = staged(c, "consumption", INTERVAL_COLUMNS, data, true)) {
            while (rs.next()) {
                fresh.add(new ConsumptionInterval(rs.getString(1),
                        rs.getObject(2, OffsetDateTime.class).toInstant(),
                        rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getLong(4),
                        JdbcMeterStore.decodeFlags(rs.getString(5), IntervalFlag.class, "consumption.flags")));
            }
        }
        return fresh;
    }

    /** True when the copy went in; false (rolled back to the savepoint) when a key was there already. */
    private boolean direct(Connection c, String table, String columns, byte[] data) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            copy(c, "copy " + table + " (" + columns + ") from stdin (format binary)", data);
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback(sp);
            replays++;
            return false;
        }
    }

    /** Copies into the staging table and inserts what is new; with returning, the new rows' result set. */
    private static ResultSet staged(Connection c, String table, String columns, byte[] data, boolean returning)
            throws SQLException {
        String stage = "mh_stage_" + table;
        Statement st = c.createStatement();
        try {
            // once per connection; "on commit delete rows" empties it only when it was used
            st.execute("create temp table if not exists " + stage + " (like " + table
                    + " including defaults) on commit delete rows");
            copy(c, "copy " + stage + " (" + columns + ") from stdin (format binary)", data);
            String sql = "insert into " + table + " (" + columns + ") select " + columns + " from " + stage
                    + " on conflict do nothing";
            if (!returning) {
                st.executeUpdate(sql);
                st.executeUpdate("truncate " + stage); // a second batch in this transaction starts empty
                st.close();
                return null;
            }
            ResultSet rs = st.executeQuery("with fresh as (" + sql + " returning " + columns + "), cleared as ("
                    + "delete from " + stage + ") select * from fresh");
            st.closeOnCompletion();
            return rs;
        } catch (SQLException | RuntimeException e) {
            st.close();
            throw e;
        }
    }

    private static void copy(Connection c, String sql, byte[] data) throws SQLException {
        CopyManager copyManager = c.unwrap(PGConnection.class).getCopyAPI();
        CopyIn in = copyManager.copyIn(sql);
        try {
            in.writeToCopy(data, 0, data.length);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    // ---- binary COPY encoding ----

    static byte[] encodeReadings(List<Reading> readings) {
        CopyBuffer b = new CopyBuffer(64 + readings.size() * 80);
        for (Reading r : readings) {
            b.tuple(8);
            b.text(r.meterId());
            b.timestamp(r.time());
            b.bytes(SOURCES[r.source().ordinal()]);
            b.timestamp(r.receivedAt());
            b.int8(r.volumeL());
            b.flags(r.flags());
            b.int4(r.statusBits());
            b.nullableTimestamp(JdbcMeterStore.storableMeterTime(r));
        }
        return b.finish();
    }

    static byte[] encodeIntervals(List<ConsumptionInterval> intervals) {
        CopyBuffer b = new CopyBuffer(64 + intervals.size() * 64);
        for (ConsumptionInterval i : intervals) {
            b.tuple(5);
            b.text(i.meterId());
            b.timestamp(i.start());
            b.timestamp(i.end());
            b.int8(i.volumeL());
            b.flags(i.flags());
        }
        return b.finish();
    }

    /** PostgreSQL's binary COPY format: signature, flags, header extension, tuples, trailer. */
    static final class CopyBuffer {
        private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
        private byte[] buf;
        private int len;

        CopyBuffer(int capacity) {
            buf = new byte[Math.max(64, capacity)];
            System.arraycopy(SIGNATURE, 0, buf, 0, SIGNATURE.length);
            len = SIGNATURE.length;
            putInt(0); // flags: no OIDs
            putInt(0); // header extension length
        }

        void tuple(int fields) {
            ensure(2);
            buf[len++] = (byte) (fields >>> 8);
            buf[len++] = (byte) fields;
        }

        void text(String s) {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(byte[] b) {
            ensure(4 + b.length);
            putInt(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void flags(Set<? extends Enum<?>> flags) {
            if (flags.isEmpty()) {
                ensure(4);
                putInt(0);
            } else {
                text(JdbcMeterStore.encodeFlags(flags));
            }
        }

        /** timestamptz: microseconds since 2000-01-01 UTC, kept to the millisecond like every store. */
        void timestamp(Instant t) {
            int8Raw(Math.multiplyExact(t.toEpochMilli() - PG_EPOCH_MS, 1000L));
        }

        /** A timestamptz that may be SQL null (field length -1). */
        void nullableTimestamp(Instant t) {
            if (t == null) {
                ensure(4);
                putInt(-1);
            } else {
                timestamp(t);
            }
        }

        void int8(long v) {
            int8Raw(v);
        }

        private void int8Raw(long v) {
            ensure(12);
            putInt(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        void int4(int v) {
            ensure(8);
            putInt(4);
            putInt(v);
        }

        byte[] finish() {
            ensure(2);
            buf[len++] = (byte) 0xFF;
            buf[len++] = (byte) 0xFF;
            return Arrays.copyOf(buf, len);
        }

        private void putInt(int v) {
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
        }

        private void ensure(int more) {
            if (len + more + 8 > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more + 8));
            }
        }
    }
}
