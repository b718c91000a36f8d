package org.meterhub.engine.store;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC work both stores share: the SQL is the same on SQLite and PostgreSQL, only the
 * connections and the binding of times ({@link Dialect}) differ.
 *
 * <p><b>Times</b> are kept to the millisecond on both stores (a finer part is dropped on
 * write), so both give identical answers; they must lie in [{@link #TIME_MIN}, {@link #TIME_END}).
 * Query bounds are rounded up to the millisecond, which keeps [from, to) exact.
 *
 * <p><b>Threads</b>: one writer connection behind one lock and, for file and server databases,
 * one reader connection behind another. One writer thread and any number of reader threads may
 * share a store: a read never waits for a write in progress (it sees the last committed state),
 * readers wait for each other, and concurrent writers are serialised. A connection that failed
 * with a connection-level error (SQLState class 08) is reopened on next use.
 */
abstract class JdbcMeterStore implements MeterStore {

    /** Earliest storable time. */
    static final Instant TIME_MIN = Instant.parse("0001-01-01T00:00:00Z");
    /** Storable times are before this. */
    static final Instant TIME_END = Instant.parse("9999-12-31T00:00:00Z");

    private static final Logger log = LoggerFactory.getLogger(JdbcMeterStore.class);
    /** Rows per JDBC batch; a large append is still one transaction. */
    private static final int BATCH_ROWS = 1000;

    private static final String METER_COLUMNS =
            "select meter_id, medium, base_reading_l, base_time, register_capacity_l from meters";
    private static final String READING_COLUMNS =
            "select meter_id, time, source, received_at, volume_l, flags, status_bits from readings";
    private static final String INTERVAL_COLUMNS =
            "select meter_id, start_time, end_time, volume_l, flags from consumption";

    private final Dialect dialect;
    private final boolean separateReader;
    private final Object writeLock = new Object();
    private final Object readLock;
    /** Guarded by writeLock; auto-commit off. */
    private Connection writer;
    /** Guarded by readLock; auto-commit on; unused when !separateReader. */
    private Connection reader;
    private volatile boolean closed;

    /**
     * @param separateReader false when a second connection would not see the same database
     *                       (SQLite in memory): reads then share the writer connection
     */
    JdbcMeterStore(Dialect dialect, boolean separateReader) {
        this.dialect = dialect;
        this.separateReader = separateReader;
        this.readLock = separateReader ? new Object() : writeLock;
    }

    /** A new writer connection with auto-commit off. */
    abstract Connection connectWriter() throws SQLException;

    /** A new reader connection with auto-commit on. */
    abstract Connection connectReader() throws SQLException;

    /** Runs once at open, after the migrations, on the writer connection. */
    void afterMigrations(Connection c) throws SQLException {
    }

    /** Connects and migrates; the last call of a subclass constructor. */
    final void open() {
        try {
            synchronized (writeLock) {
                writer = connectWriter();
                List<Integer> applied = Migrations.apply(writer, dialect);
                afterMigrations(writer);
                LoggerFactory.getLogger(getClass()).info("opened {}{}", describe(),
                        applied.isEmpty() ? "" : ", applied schema migrations " + applied);
            }
            if (separateReader) {
                synchronized (readLock) {
                    reader = connectReader();
                }
            }
        } catch (SQLException | RuntimeException e) {
            close();
            if (e instanceof SQLException s) {
                throw failure("open", s);
            }
            throw (RuntimeException) e;
        }
    }

    @Override
    public void registerMeter(MeterInfo meter) {
        Objects.requireNonNull(meter, "meter");
        write("registerMeter " + meter.meterId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into meters (meter_id, medium, base_reading_l,"
                    + " base_time, register_capacity_l, created_at) values (?, ?, ?, ?, ?, ?)"
                    + " on conflict (meter_id) do nothing")) {
                ps.setString(1, meter.meterId());
                ps.setString(2, meter.medium().name());
                ps.setLong(3, meter.baseReadingL());
                bindTime(ps, 4, meter.baseTime());
                ps.setLong(5, meter.registerCapacityL());
                bindTime(ps, 6, Instant.now());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<MeterInfo> meter(String meterId) {
        Objects.requireNonNull(meterId, "meterId");
        return read("meter " + meterId, c -> query(c, METER_COLUMNS + " where meter_id = ?",
                ps -> ps.setString(1, meterId), this::meterInfo)).stream().findFirst();
    }

    @Override
    public List<MeterInfo> meters() {
        return read("meters", c -> query(c, METER_COLUMNS + " order by meter_id", ps -> { }, this::meterInfo));
    }

    @Override
    public void append(List<Reading> readings, List<ConsumptionInterval> intervals) {
        Objects.requireNonNull(readings, "readings");
        Objects.requireNonNull(intervals, "intervals");
        if (readings.isEmpty() && intervals.isEmpty()) {
            return;
        }
        write("append of " + readings.size() + " readings and " + intervals.size() + " intervals", c -> {
            if (!readings.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("insert into readings (meter_id, time, source,"
                        + " received_at, volume_l, flags, status_bits) values (?, ?, ?, ?, ?, ?, ?)"
                        + " on conflict do nothing")) {
                    int rows = 0;
                    for (Reading r : readings) {
                        ps.setString(1, r.meterId());
                        bindTime(ps, 2, r.time());
                        ps.setString(3, r.source().name());
                        bindTime(ps, 4, r.receivedAt());
                        ps.setLong(5, r.volumeL());
                        ps.setString(6, encodeFlags(r.flags()));
                        ps.setInt(7, r.statusBits());
                        ps.addBatch();
                        if (++rows % BATCH_ROWS == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
            }
            if (!intervals.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("insert into consumption (meter_id, start_time,"
                        + " end_time, volume_l, flags) values (?, ?, ?, ?, ?) on conflict do nothing")) {
                    int rows = 0;
                    for (ConsumptionInterval i : intervals) {
                        ps.setString(1, i.meterId());
                        bindTime(ps, 2, i.start());
                        bindTime(ps, 3, i.end());
                        ps.setLong(4, i.volumeL());
                        ps.setString(5, encodeFlags(i.flags()));
                        ps.addBatch();
                        if (++rows % BATCH_ROWS == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
            }
            return null;
        });
    }

    @Override
    public List<Reading> readings(String meterId, Instant from, Instant to) {
        Objects.requireNonNull(meterId, "meterId");
        Instant lo = bound(from);
        Instant hi = bound(to);
        if (!lo.isBefore(hi)) {
            return List.of();
        }
        return read("readings of " + meterId, c -> query(c,
                READING_COLUMNS + " where meter_id = ? and time >= ? and time < ? order by time, source",
                ps -> {
                    ps.setString(1, meterId);
                    dialect.bindTime(ps, 2, lo);
                    dialect.bindTime(ps, 3, hi);
                }, this::reading));
    }

    @Override
    public List<ConsumptionInterval> intervals(String meterId, Instant from, Instant to) {
        Objects.requireNonNull(meterId, "meterId");
        Instant lo = bound(from);
        Instant hi = bound(to);
        if (!lo.isBefore(hi)) {
            return List.of();
        }
        return read("intervals of " + meterId, c -> query(c,
                INTERVAL_COLUMNS + " where meter_id = ? and start_time >= ? and start_time < ? order by start_time",
                ps -> {
                    ps.setString(1, meterId);
                    dialect.bindTime(ps, 2, lo);
                    dialect.bindTime(ps, 3, hi);
                }, this::interval));
    }

    @Override
    public Optional<Reading> lastReading(String meterId) {
        Objects.requireNonNull(meterId, "meterId");
        return read("lastReading of " + meterId, c -> query(c,
                READING_COLUMNS + " where meter_id = ? order by time desc, source desc limit 1",
                ps -> ps.setString(1, meterId), this::reading)).stream().findFirst();
    }

    @Override
    public long readingCount() {
        return read("readingCount", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from readings")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        synchronized (readLock) {
            closeQuietly(reader);
            reader = null;
        }
        synchronized (writeLock) {
            if (writer != null) {
                try {
                    writer.rollback();
                } catch (SQLException e) {
                    log.debug("rollback at close failed", e);
                }
            }
            closeQuietly(writer);
            writer = null;
        }
    }

    // ---- connections and transactions ----

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Runs work on the writer connection in one transaction: commit on success, rollback on failure. */
    final <T> T write(String what, SqlWork<T> work) {
        synchronized (writeLock) {
            Connection c = writer();
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (lost(c, e)) {
                    closeQuietly(c);
                    writer = null;
                }
                throw failure(what, e);
            } catch (RuntimeException | Error e) {
                rollbackQuietly(c);
                throw e;
            }
        }
    }

    /** Runs work on the reader connection (the writer's when there is no separate reader). */
    final <T> T read(String what, SqlWork<T> work) {
        if (!separateReader) {
            return write(what, work);
        }
        synchronized (readLock) {
            Connection c = reader();
            try {
                return work.run(c);
            } catch (SQLException e) {
                if (lost(c, e)) {
                    closeQuietly(c);
                    reader = null;
                }
                throw failure(what, e);
            }
        }
    }

    private Connection writer() {
        checkOpen();
        if (writer == null) {
            try {
                writer = connectWriter();
            } catch (SQLException e) {
                throw failure("reconnect", e);
            }
        }
        return writer;
    }

    private Connection reader() {
        checkOpen();
        if (reader == null) {
            try {
                reader = connectReader();
            } catch (SQLException e) {
                throw failure("reconnect", e);
            }
        }
        return reader;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed: " + describe());
        }
    }

    private static boolean lost(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) {
            return true;
        }
        try {
            return c.isClosed();
        } catch (SQLException ignored) {
            return true;
        }
    }

    private StoreException failure(String what, SQLException e) {
        StringBuilder message = new StringBuilder(what).append(" failed on ").append(describe())
                .append(": ").append(e.getMessage());
        SQLException next = e.getNextException();
        if (e instanceof BatchUpdateException && next != null) {
            message.append("; ").append(next.getMessage()); // PostgreSQL puts the cause of a batch failure here
        }
        return new StoreException(message.toString(), e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("close failed", e);
        }
    }

    private static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
                return rows;
            }
        }
    }

    // ---- values ----

    /** Binds a stored time: dropped to the millisecond, checked against the storable range. */
    private void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
        if (time.isBefore(TIME_MIN) || !time.isBefore(TIME_END)) {
            throw new IllegalArgumentException("time " + time + " outside the storable range ["
                    + TIME_MIN + ", " + TIME_END + ")");
        }
        dialect.bindTime(ps, index, time.truncatedTo(ChronoUnit.MILLIS));
    }

    /** A query bound: clamped to the storable range, rounded up to the millisecond. */
    static Instant bound(Instant t) {
        Objects.requireNonNull(t, "time bound");
        if (t.isBefore(TIME_MIN)) {
            return TIME_MIN;
        }
        if (t.isAfter(TIME_END)) {
            return TIME_END;
        }
        Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
        return ms.equals(t) ? t : ms.plusMillis(1);
    }

    private MeterInfo meterInfo(ResultSet rs) throws SQLException {
        return new MeterInfo(rs.getString(1), enumValue(Medium.class, rs.getString(2), "meters.medium"),
                rs.getLong(3), dialect.readTime(rs, 4), rs.getLong(5));
    }

    private Reading reading(ResultSet rs) throws SQLException {
        return new Reading(rs.getString(1), dialect.readTime(rs, 2), dialect.readTime(rs, 4), rs.getLong(5),
                enumValue(ReadingSource.class, rs.getString(3), "readings.source"),
                decodeFlags(rs.getString(6), ReadingFlag.class, "readings.flags"), rs.getInt(7));
    }

    private ConsumptionInterval interval(ResultSet rs) throws SQLException {
        return new ConsumptionInterval(rs.getString(1), dialect.readTime(rs, 2), dialect.readTime(rs, 3),
                rs.getLong(4), decodeFlags(rs.getString(5), IntervalFlag.class, "consumption.flags"));
    }

    /** Flag names, sorted, comma-separated; "" for none. */
    static String encodeFlags(Set<? extends Enum<?>> flags) {
        return flags.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
    }

    static <E extends Enum<E>> Set<E> decodeFlags(String text, Class<E> type, String column) {
        Set<E> flags = EnumSet.noneOf(type);
        if (text != null && !text.isEmpty()) {
            for (String name : text.split(",")) {
                flags.add(enumValue(type, name, column));
            }
        }
        return flags;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String column) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("unknown " + type.getSimpleName() + " '" + name + "' in " + column
                    + " (written by a newer meterhub?)", e);
        }
    }
}
