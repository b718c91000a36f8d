package org.meterhub.engine.store;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
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
abstract class JdbcMeterStore implements TimeSeriesStore {

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
            "select meter_id, time, source, received_at, volume_l, flags, status_bits, meter_time from readings";
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
    private volatile ZoneId rollupZone = ConsumptionQuery.DEFAULT_ZONE;

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
                rollupZone = readRollupZone(writer);
                if (applied.contains(2) && maintainsRollups()) {
                    rebuildRollups(writer); // a store created before V2 had no rollups
                }
                // Ends the read transaction the lines above began: left open, SQLite would refuse the writer's first
                // write at once (SQLITE_BUSY_SNAPSHOT) whenever another connection to the file wrote after it.
                writer.commit();
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
        append(readings, intervals, List.of());
    }

    @Override
    public void append(List<Reading> readings, List<ConsumptionInterval> intervals, Collection<Fence> fences) {
        Objects.requireNonNull(readings, "readings");
        Objects.requireNonNull(intervals, "intervals");
        Objects.requireNonNull(fences, "fences");
        if (readings.isEmpty() && intervals.isEmpty()) {
            return;
        }
        checkTimes(readings, intervals); // before any work, so a bad row leaves nothing behind
        beforeAppend(readings, intervals);
        write("append of " + readings.size() + " readings and " + intervals.size() + " intervals", c -> {
            List<ConsumptionInterval> fresh = insertRows(c, readings, intervals);
            if (maintainsRollups()) {
                Rollups.add(c, dialect, rollupZone, fresh);
            }
            // Last, just before the commit: on SQLite this transaction holds the write lock by now, so
            // no take can commit in between; on PostgreSQL FOR SHARE makes a concurrent take wait.
            checkFences(c, fences);
            return null;
        });
    }

    private void checkFences(Connection c, Collection<Fence> fences) throws SQLException {
        if (fences.isEmpty()) {
            return;
        }
        String sql = "select epoch from lease_fences where lease = ?"
                + (dialect == Dialect.POSTGRESQL ? " for share" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Fence f : fences) {
                ps.setString(1, f.lease());
                try (ResultSet rs = ps.executeQuery()) {
                    long current = rs.next() ? rs.getLong(1) : 0;
                    if (current != f.epoch()) {
                        throw new FencedOutException("lease " + f.lease() + " was taken again (epoch " + current
                                + ", this engine holds " + f.epoch() + "); the append was rolled back");
                    }
                }
            }
        }
    }

    @Override
    public Fence takeFence(String lease, String holder) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(holder, "holder");
        return write("takeFence " + lease, c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into lease_fences (lease, epoch, holder, taken_at)"
                    + " values (?, 1, ?, ?) on conflict (lease) do update set epoch = lease_fences.epoch + 1,"
                    + " holder = excluded.holder, taken_at = excluded.taken_at")) {
                ps.setString(1, lease);
                ps.setString(2, holder);
                bindTime(ps, 3, Instant.now());
                ps.executeUpdate();
            }
            long epoch = query(c, "select epoch from lease_fences where lease = ?", ps -> ps.setString(1, lease),
                    rs -> rs.getLong(1)).get(0);
            return new Fence(lease, epoch);
        });
    }

    /** Refuses the whole append when any time lies outside the storable range. */
    static void checkTimes(List<Reading> readings, List<ConsumptionInterval> intervals) {
        for (Reading r : readings) {
            checkTime(r.time());
            checkTime(r.receivedAt());
        }
        for (ConsumptionInterval i : intervals) {
            checkTime(i.start());
            checkTime(i.end());
        }
    }

    private static void checkTime(Instant time) {
        if (time.isBefore(TIME_MIN) || !time.isBefore(TIME_END)) {
            throw new IllegalArgumentException("time " + time + " outside the storable range ["
                    + TIME_MIN + ", " + TIME_END + ")");
        }
    }

    /** Runs before the append transaction, in its own (e.g. to create partitions); times are valid. */
    void beforeAppend(List<Reading> readings, List<ConsumptionInterval> intervals) {
    }

    /** Whether the engine maintains the rollup tables (false when they are continuous aggregates). */
    boolean maintainsRollups() {
        return true;
    }

    /**
     * Inserts the rows, ignoring those whose key is stored already, inside the append transaction.
     *
     * @return the intervals that were newly stored (for the rollups)
     */
    List<ConsumptionInterval> insertRows(Connection c, List<Reading> readings, List<ConsumptionInterval> intervals)
            throws SQLException {
        if (!readings.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("insert into readings (meter_id, time, source,"
                    + " received_at, volume_l, flags, status_bits, meter_time) values (?, ?, ?, ?, ?, ?, ?, ?)"
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
                    dialect.bindNullableTime(ps, 8, storableMeterTime(r));
                    ps.addBatch();
                    if (++rows % BATCH_ROWS == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
        }
        List<ConsumptionInterval> fresh = new ArrayList<>();
        if (!intervals.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("insert into consumption (meter_id, start_time,"
                    + " end_time, volume_l, flags) values (?, ?, ?, ?, ?) on conflict do nothing")) {
                int from = 0;
                for (int k = 0; k < intervals.size(); k++) {
                    ConsumptionInterval i = intervals.get(k);
                    ps.setString(1, i.meterId());
                    bindTime(ps, 2, i.start());
                    bindTime(ps, 3, i.end());
                    ps.setLong(4, i.volumeL());
                    ps.setString(5, encodeFlags(i.flags()));
                    ps.addBatch();
                    if (k + 1 - from == BATCH_ROWS || k + 1 == intervals.size()) {
                        int[] counts = ps.executeBatch(); // per row: 1 inserted, 0 already there
                        for (int j = 0; j < counts.length; j++) {
                            if (counts[j] > 0) {
                                fresh.add(intervals.get(from + j));
                            } else if (counts[j] != 0) {
                                throw new SQLException("the driver did not report which rows were inserted");
                            }
                        }
                        from = k + 1;
                    }
                }
            }
        }
        return fresh;
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

    /** {@link #lastReading} looks at the last {@code RECENT} (and the future) first, then back a {@code STEP} at a time. */
    private static final Duration LAST_READING_RECENT = Duration.ofDays(2);
    private static final Duration LAST_READING_STEP = Duration.ofDays(32);
    private static final int LAST_READING_STEPS = 13; // back about 14 months, then all the time before

    /**
     * The newest reading, looked for in the last two days (and the future, for meters whose time runs
     * ahead), then 32 days at a time further back, then in all the time before. Readings are cut into
     * days (hypertable chunks or partitions), and a statement without a time range is planned and
     * opened over every one of them (366 a year: measured about 90 ms a call on a year's TimescaleDB
     * store, docs/console.md) though it reads one row; a bounded one reaches only the days it names,
     * and a window with no days in it costs a millisecond.
     */
    @Override
    public Optional<Reading> lastReading(String meterId) {
        Objects.requireNonNull(meterId, "meterId");
        String newest = READING_COLUMNS + " where meter_id = ? and time >= ?%s order by time desc, source desc limit 1";
        return read("lastReading of " + meterId, c -> {
            Instant upper = bound(Instant.now().minus(LAST_READING_RECENT));
            List<Reading> found = query(c, String.format(newest, ""), ps -> {
                ps.setString(1, meterId);
                dialect.bindTime(ps, 2, upper);
            }, this::reading);
            for (int k = 0; found.isEmpty() && k < LAST_READING_STEPS; k++) {
                Instant hi = bound(upper.minus(LAST_READING_STEP.multipliedBy(k)));
                Instant lo = bound(hi.minus(LAST_READING_STEP));
                found = query(c, String.format(newest, " and time < ?"), ps -> {
                    ps.setString(1, meterId);
                    dialect.bindTime(ps, 2, lo);
                    dialect.bindTime(ps, 3, hi);
                }, this::reading);
            }
            if (found.isEmpty()) {
                Instant before = bound(upper.minus(LAST_READING_STEP.multipliedBy(LAST_READING_STEPS)));
                found = query(c, READING_COLUMNS + " where meter_id = ? and time < ? order by time desc, source desc limit 1",
                        ps -> {
                            ps.setString(1, meterId);
                            dialect.bindTime(ps, 2, before);
                        }, this::reading);
            }
            return found;
        }).stream().findFirst();
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

    // ---- TimeSeriesStore ----

    private static final String PROFILE_COLUMNS = "select meter_id, medium, base_reading_l, base_time,"
            + " register_capacity_l, meter_type, customer_class, accuracy_class, qmax_lph, first_verification,"
            + " district_id, location, role from meters";
    private static final String ACCOUNT_COLUMNS = "select account_id, meter_id, state, customer_class, district_id,"
            + " ignited_on, updated_at from accounts";

    @Override
    public ZoneId rollupZone() {
        return rollupZone;
    }

    private static ZoneId readRollupZone(Connection c) throws SQLException {
        ZoneId zone;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select value from store_settings where key = 'rollup_zone'")) {
            zone = rs.next() ? ZoneId.of(rs.getString(1)) : ConsumptionQuery.DEFAULT_ZONE;
        }
        // Committed with the statement closed: on SQLite a commit while it is still open leaves the writer's read
        // snapshot in place, and its first write after another connection wrote fails with SQLITE_BUSY_SNAPSHOT.
        c.commit();
        return zone;
    }

    @Override
    public void saveProfile(MeterProfile p) {
        Objects.requireNonNull(p, "profile");
        registerMeter(p.info());
        write("saveProfile " + p.meterId(), c -> {
            try (PreparedStatement ps = c.prepareStatement("update meters set meter_type = ?, customer_class = ?,"
                    + " accuracy_class = ?, qmax_lph = ?, first_verification = ?, district_id = ?, location = ?,"
                    + " role = ? where meter_id = ?")) {
                ps.setString(1, p.meterType());
                ps.setString(2, p.customerClass() == null ? null : p.customerClass().code());
                ps.setString(3, p.accuracyClass());
                ps.setObject(4, p.qmaxLph(), Types.BIGINT);
                dialect.bindDate(ps, 5, p.firstVerification());
                ps.setString(6, p.districtId());
                ps.setString(7, p.location());
                ps.setString(8, p.role().code());
                ps.setString(9, p.meterId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<MeterProfile> profile(String meterId) {
        Objects.requireNonNull(meterId, "meterId");
        return read("profile " + meterId, c -> query(c, PROFILE_COLUMNS + " where meter_id = ?",
                ps -> ps.setString(1, meterId), this::profile)).stream().findFirst();
    }

    @Override
    public List<MeterProfile> profiles(String districtId) {
        return read("profiles", c -> districtId == null
                ? query(c, PROFILE_COLUMNS + " order by meter_id", ps -> { }, this::profile)
                : query(c, PROFILE_COLUMNS + " where district_id = ? order by meter_id",
                        ps -> ps.setString(1, districtId), this::profile));
    }

    private MeterProfile profile(ResultSet rs) throws SQLException {
        long qmax = rs.getLong(9);
        boolean noQmax = rs.wasNull();
        String customerClass = rs.getString(7);
        return new MeterProfile(meterInfo(rs), rs.getString(6),
                customerClass == null ? null : CustomerClass.fromCode(customerClass), rs.getString(8),
                noQmax ? null : qmax, dialect.readDate(rs, 10), rs.getString(11), rs.getString(12),
                MeterRole.fromCode(rs.getString(13)));
    }

    @Override
    public void saveAccount(Account a) {
        Objects.requireNonNull(a, "account");
        write("saveAccount", c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into accounts (account_id, meter_id, state,"
                    + " customer_class, district_id, ignited_on, updated_at) values (?, ?, ?, ?, ?, ?, ?)"
                    + " on conflict (account_id) do update set meter_id = excluded.meter_id, state = excluded.state,"
                    + " customer_class = excluded.customer_class, district_id = excluded.district_id,"
                    + " ignited_on = excluded.ignited_on, updated_at = excluded.updated_at")) {
                ps.setString(1, a.accountId());
                ps.setString(2, a.meterId());
                ps.setString(3, a.state().code());
                ps.setString(4, a.customerClass().code());
                ps.setString(5, a.districtId());
                dialect.bindDate(ps, 6, a.ignitedOn());
                bindTime(ps, 7, a.updatedAt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<Account> accounts(AccountState state) {
        return read("accounts", c -> state == null
                ? query(c, ACCOUNT_COLUMNS + " order by account_id", ps -> { }, this::account)
                : query(c, ACCOUNT_COLUMNS + " where state = ? order by account_id",
                        ps -> ps.setString(1, state.code()), this::account));
    }

    private Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getString(1), rs.getString(2), AccountState.fromCode(rs.getString(3)),
                CustomerClass.fromCode(rs.getString(4)), rs.getString(5), dialect.readDate(rs, 6),
                dialect.readTime(rs, 7));
    }

    @Override
    public List<RollupRow> rollup(Step step, String meterId, Instant from, Instant to) {
        Objects.requireNonNull(step, "step");
        Instant lo = bound(from);
        Instant hi = bound(to);
        if (!lo.isBefore(hi)) {
            return List.of();
        }
        String sql = "select meter_id, bucket, volume_l, intervals, flag_bits from " + Rollups.table(step)
                + " where " + (meterId == null ? "" : "meter_id = ? and ") + "bucket >= ? and bucket < ?"
                + " order by meter_id, bucket";
        return read("rollup " + step, c -> query(c, sql, ps -> {
            int i = 1;
            if (meterId != null) {
                ps.setString(i++, meterId);
            }
            dialect.bindTime(ps, i++, lo);
            dialect.bindTime(ps, i, hi);
        }, rs -> new RollupRow(rs.getString(1), dialect.readTime(rs, 2), rs.getLong(3), rs.getInt(4),
                Rollups.flags(rs.getInt(5)))));
    }

    @Override
    public List<MeterTotal> totals(Instant from, Instant to, String districtId, boolean inlets, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        Instant lo = bound(from);
        Instant hi = bound(to);
        if (!lo.isBefore(hi)) {
            return List.of();
        }
        Step tiling = tiling(lo, hi);
        String sql;
        if (tiling == null) {
            sql = "select s.meter_id, sum(s.volume_l), count(*), " + Rollups.flagBitsOfConsumption("s")
                    + " from consumption s" + districtJoin(districtId)
                    + " where s.start_time >= ? and s.start_time < ?";
        } else {
            sql = "select s.meter_id, sum(s.volume_l), sum(s.intervals), " + Rollups.flagBitsOfRollup("s")
                    + " from " + Rollups.table(tiling) + " s" + districtJoin(districtId)
                    + " where s.bucket >= ? and s.bucket < ?";
        }
        String full = sql + " group by s.meter_id order by 2 desc, s.meter_id limit ?";
        return read("totals", c -> query(c, full, ps -> {
            int i = 1;
            if (districtId != null) {
                ps.setString(i++, districtId);
                ps.setString(i++, (inlets ? MeterRole.DISTRICT_INLET : MeterRole.CUSTOMER).code());
            }
            dialect.bindTime(ps, i++, lo);
            dialect.bindTime(ps, i++, hi);
            ps.setInt(i, limit);
        }, rs -> new MeterTotal(rs.getString(1), rs.getLong(2), rs.getLong(3), Rollups.flags(rs.getInt(4)))));
    }

    private static String districtJoin(String districtId) {
        return districtId == null ? "" : " join meters m on m.meter_id = s.meter_id and m.district_id = ? and m.role = ?";
    }

    /** The coarsest rollup whose buckets tile [from, to) exactly, or null (read raw consumption). */
    private Step tiling(Instant from, Instant to) {
        for (Step step : List.of(Step.MONTH, Step.DAY, Step.HOUR)) {
            if (step.floor(from, rollupZone).equals(from) && step.floor(to, rollupZone).equals(to)) {
                return step;
            }
        }
        return null;
    }

    @Override
    public long readingTimes(String meterId, Instant from, Instant to) {
        Objects.requireNonNull(meterId, "meterId");
        Instant lo = bound(from);
        Instant hi = bound(to);
        if (!lo.isBefore(hi)) {
            return 0;
        }
        return read("readingTimes " + meterId, c -> query(c,
                "select count(distinct time) from readings where meter_id = ? and time >= ? and time < ?", ps -> {
                    ps.setString(1, meterId);
                    dialect.bindTime(ps, 2, lo);
                    dialect.bindTime(ps, 3, hi);
                }, rs -> rs.getLong(1)).get(0));
    }

    @Override
    public void audit(AuditEntry e) {
        Objects.requireNonNull(e, "entry");
        write("audit", c -> {
            AuditRows.insert(c, dialect, e);
            return null;
        });
    }

    @Override
    public List<AuditEntry> auditTrail(Instant from, Instant to) {
        Instant lo = bound(from);
        Instant hi = bound(to);
        return read("auditTrail", c -> AuditRows.between(c, dialect, lo, hi));
    }

    /** The alarms columns (V3, V13), in the order rows show them; times are read as instants on both stores. */
    private static final String[] ALARM_COLUMNS = {"alarm_id", "kind", "category", "subject", "meter_id", "detail",
            "volume_lost_l", "observed_at", "raised_at", "deadline_rule", "acknowledge_by", "on_site_by", "resolve_by",
            "follow_up_by", "state", "acknowledged_at", "acknowledged_by", "on_site_at", "on_site_actor", "resolved_at",
            "resolved_by", "resolution", "followed_up_at", "followed_up_by", "acknowledge_met", "on_site_met",
            "resolve_met", "follow_up_met"};
    private static final Set<String> ALARM_TIMES = Set.of("observed_at", "raised_at", "acknowledge_by", "on_site_by",
            "resolve_by", "follow_up_by", "acknowledged_at", "on_site_at", "resolved_at", "followed_up_at");
    private static final Set<String> ALARM_NUMBERS = Set.of("alarm_id", "volume_lost_l", "acknowledge_met",
            "on_site_met", "resolve_met", "follow_up_met");

    @Override
    public Optional<List<Map<String, Object>>> alarms(String meterId, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        String sql = "select " + String.join(", ", ALARM_COLUMNS) + " from alarms"
                + (meterId == null ? "" : " where meter_id = ?") + " order by raised_at desc, alarm_id desc limit ?";
        return Optional.of(read("alarms", c -> query(c, sql, ps -> {
            int i = 1;
            if (meterId != null) {
                ps.setString(i++, meterId);
            }
            ps.setInt(i, limit);
        }, this::alarmRow)));
    }

    /** One alarms row: instants for times, longs for numbers, strings otherwise, null where null. */
    private Map<String, Object> alarmRow(ResultSet rs) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < ALARM_COLUMNS.length; i++) {
            String name = ALARM_COLUMNS[i];
            Object v;
            if (ALARM_TIMES.contains(name)) {
                v = dialect.readNullableTime(rs, i + 1);
            } else if (ALARM_NUMBERS.contains(name)) {
                long n = rs.getLong(i + 1);
                v = rs.wasNull() ? null : n;
            } else {
                v = rs.getString(i + 1);
            }
            row.put(name, v);
        }
        return row;
    }

    @Override
    public void rebuildRollups() {
        if (!maintainsRollups()) {
            return;
        }
        write("rebuildRollups", c -> {
            rebuildRollups(c);
            return null;
        });
    }

    /** Empties the rollups and adds every consumption row again, a meter at a time (bounded memory). */
    private void rebuildRollups(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (Step step : Step.values()) {
                st.executeUpdate("delete from " + Rollups.table(step));
            }
        }
        List<String> meters = query(c, "select distinct meter_id from consumption order by meter_id", ps -> { },
                rs -> rs.getString(1));
        for (String meter : meters) {
            List<ConsumptionInterval> all = query(c, INTERVAL_COLUMNS + " where meter_id = ? order by start_time",
                    ps -> ps.setString(1, meter), this::interval);
            Rollups.add(c, dialect, rollupZone, all);
        }
        if (!meters.isEmpty()) {
            log.info("rebuilt the consumption rollups of {} meters", meters.size());
        }
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
            // A read is safe to repeat: after a server restart the first attempt meets the dead
            // session, the second a fresh one.
            for (int attempt = 1; ; attempt++) {
                Connection c = reader();
                try {
                    return work.run(c);
                } catch (SQLException e) {
                    boolean lost = lost(c, e);
                    if (lost) {
                        closeQuietly(c);
                        reader = null;
                    }
                    if (!lost || attempt == 2) throw failure(what, e);
                }
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
        // 08: connection exceptions; 57P: the server is shutting down or was restarted
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
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
                decodeFlags(rs.getString(6), ReadingFlag.class, "readings.flags"), rs.getInt(7),
                dialect.readNullableTime(rs, 8));
    }

    /**
     * The meter's own clock as stored: to the millisecond like every time, and null when absent or
     * outside the storable range. A meter clock is informational (the reading's time is already
     * decided), so an unrepresentable one must not refuse the whole append and stall the pipeline.
     */
    static Instant storableMeterTime(Reading r) {
        Instant t = r.meterTime();
        if (t == null || t.isBefore(TIME_MIN) || !t.isBefore(TIME_END)) {
            return null;
        }
        return t.truncatedTo(ChronoUnit.MILLIS);
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
