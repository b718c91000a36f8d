package org.meterhub.engine.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.reading.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head-end store on PostgreSQL 13 or later, with TimescaleDB when it is available.
 *
 * <p>At open, after the migrations, the store enables TimescaleDB when the server has it installed
 * and preloaded ({@code create extension if not exists timescaledb}, on a connection of its own).
 * If that succeeds, readings (on {@code time}) and consumption (on {@code start_time}) become
 * hypertables with a compression policy, and the rollups continuous aggregates; otherwise, with
 * one log line saying why and how to enable it, both tables are partitioned (readings by day,
 * consumption by month) and the engine maintains the rollups in the append transaction
 * ({@link PgTimeLayout}). TimescaleDB is detected, never required; queries are the same either
 * way. {@link #describe()} says which.
 *
 * <p>Appends go through binary {@code COPY} ({@link PgCopySink}) in one transaction per call;
 * the call returns when the rows are committed, so a slow database slows the ingest pipeline's
 * writer, whose bounded queue then blocks the producers (back-pressure).
 *
 * <p>Times are timestamptz, kept to the millisecond (a finer part is dropped on write), as in
 * {@link SqliteStore}, so both stores give identical answers.
 *
 * <p><b>Threads</b>: safe for one writer thread plus any number of reader threads. Writes go
 * through one connection under a lock (concurrent writers are serialised); reads go through a
 * second connection under another lock, so they never wait for a write in progress (readers wait
 * for each other). A connection that failed with a connection error (SQLState 08xxx) is reopened
 * on next use; the failed call still throws {@link StoreException}.
 */
public final class PostgresStore extends JdbcMeterStore {

    /** How appends reach the tables. */
    public enum AppendMode {
        /** Binary COPY straight into the table; a batch holding a stored key goes through staging. */
        COPY_DIRECT_FIRST,
        /** Binary COPY into a staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING. */
        COPY_STAGING,
        /** Readings as batched multi-row INSERTs (the baseline the benchmark compares with). */
        JDBC_BATCH
    }

    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);

    private final String url;
    private final AppendMode mode;
    private final PgTimeLayout layout = new PgTimeLayout();
    private final PgCopySink sink;
    private volatile boolean hypertables;
    private ScheduledExecutorService maintenance;
    /** How long after its end a readings day still counts as open (the last read round arrives). */
    static final Duration CLOSED_GRACE = Duration.ofHours(2);

    /**
     * @param url {@code jdbc:postgresql://host[:port]/database?user=...&password=...}; parameters
     *            in the URL override the store's defaults (reWriteBatchedInserts, ApplicationName)
     */
    public PostgresStore(String url) {
        this(url, AppendMode.COPY_DIRECT_FIRST);
    }

    public PostgresStore(String url, AppendMode mode) {
        super(Dialect.POSTGRESQL, true);
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + JdbcUrls.redact(url));
        }
        this.url = url;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.sink = new PgCopySink(mode == AppendMode.COPY_STAGING ? PgCopySink.Mode.STAGING
                : PgCopySink.Mode.DIRECT_FIRST);
        open();
    }

    /** Whether readings and consumption are TimescaleDB hypertables. */
    public boolean hypertables() {
        return hypertables;
    }

    /** Whether readings and consumption are range-partitioned (plain PostgreSQL): readings by day, consumption by month. */
    public boolean partitioned() {
        return !hypertables;
    }

    @Override
    Connection connectWriter() throws SQLException {
        Connection c = connect();
        c.setAutoCommit(false);
        return c;
    }

    /**
     * The reader plans every statement with its values ({@code plan_cache_mode = force_custom_plan}):
     * readings and consumption are cut into days and months (chunks or partitions), and a plan made
     * with the values names only the days a range reaches, while PostgreSQL's generic plan of a
     * prepared statement (its choice after five executions) holds every chunk and locks and opens
     * them all at each execution, to exclude them only then. Measured on a year of hourly readings
     * (366 daily chunks, compressed): a meter's newest reading in a 32-day window, 1 ms to run with its
     * own plan, 49 ms with the generic one (docs/console.md).
     */
    @Override
    Connection connectReader() throws SQLException {
        Connection c = connect();
        try (Statement st = c.createStatement()) {
            st.execute("set plan_cache_mode = force_custom_plan");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private Connection connect() throws SQLException {
        Properties defaults = new Properties();
        defaults.setProperty("ApplicationName", "meterhub-engine");
        defaults.setProperty("reWriteBatchedInserts", "true"); // a batch becomes multi-row INSERTs
        defaults.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(url, defaults);
    }

    @Override
    void afterMigrations(Connection c) throws SQLException {
        boolean timescale = enableTimescale(c);
        if (timescale && !PgTimeLayout.partitioned(c)) {
            PgTimeLayout.prepareTimescale(c, rollupZoneSetting(c));
            hypertables = true;
            log.info("TimescaleDB enabled: hypertables, compression policy, continuous aggregates");
        } else {
            if (timescale) {
                log.warn("TimescaleDB is available but readings are already partitioned; keeping partitions");
            }
            layout.preparePlain(c, java.time.ZoneId.of(rollupZoneSetting(c)));
            hypertables = false;
        }
    }

    private static String rollupZoneSetting(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select value from store_settings where key = 'rollup_zone'")) {
            return rs.next() ? rs.getString(1) : "Asia/Shanghai";
        }
    }

    /**
     * Creates the timescaledb extension when the server can run it; true if it is there. When it
     * cannot, logs one line saying why and how to enable it, and the store goes on plain. The
     * {@code CREATE EXTENSION} runs on a connection of its own: when the library is not preloaded
     * TimescaleDB ends the session with FATAL, and that must not be the writer's.
     */
    private boolean enableTimescale(Connection c) throws SQLException {
        String available;
        String created;
        boolean loaderPresent;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "select (select default_version from pg_available_extensions where name = 'timescaledb'),"
                        + " (select extversion from pg_extension where extname = 'timescaledb'),"
                        // defined by TimescaleDB's loader, which exists only when it is preloaded
                        + " current_setting('timescaledb.disable_load', true) is not null")) {
            rs.next();
            available = rs.getString(1);
            created = rs.getString(2);
            loaderPresent = rs.getBoolean(3);
        } finally {
            c.commit();
        }
        if (created != null && !loaderPresent) {
            throw new SQLException("the database has the timescaledb extension " + created + " but the server does"
                    + " not preload it; " + PRELOAD_HINT);
        }
        if (created != null) {
            return true;
        }
        if (available == null) {
            log.info("TimescaleDB is not installed on the server; readings are partitioned by day, consumption by month");
            return false;
        }
        if (!loaderPresent) {
            log.warn("TimescaleDB {} is installed on the server but not preloaded, so readings and consumption are"
                    + " partitioned by day and month instead of hypertables; to enable it, {} before the store's first"
                    + " open (a partitioned store stays partitioned)", available, PRELOAD_HINT);
            return false;
        }
        try (Connection own = connect(); Statement st = own.createStatement()) {
            st.execute("create extension if not exists timescaledb");
            return true;
        } catch (SQLException e) {
            log.warn("TimescaleDB {} is installed and preloaded but cannot be enabled in this database ({}), so"
                    + " readings and consumption are partitioned by day and month; a superuser can run CREATE"
                    + " EXTENSION timescaledb in it before the store's first open", available,
                    e.getMessage().replaceAll("\\s+", " "));
            return false;
        }
    }

    private static final String PRELOAD_HINT = "add timescaledb to shared_preload_libraries in postgresql.conf"
            + " (SHOW config_file) and restart PostgreSQL";

    /**
     * Builds the per-meter index of readings partitions (days) that ended more than
     * {@link #CLOSED_GRACE} ago and lack it. Late readings are still welcome after that: the key
     * keeps them unique, the index just takes them too. Runs on its own connection, without
     * blocking appends; a no-op with TimescaleDB, whose compression policy reorganises old chunks
     * by meter instead.
     *
     * @return the indexes built
     */
    public List<String> indexClosedPartitions(Instant now) {
        if (hypertables) {
            return List.of();
        }
        try (Connection c = connect()) {
            return PgTimeLayout.indexClosedPartitions(c, now, CLOSED_GRACE);
        } catch (SQLException e) {
            throw new StoreException("indexing closed readings partitions: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@link #indexClosedPartitions} now and then every {@code period} on a daemon thread until
     * the store closes, for a long-running engine. A failure is logged and tried again next time.
     */
    public synchronized void maintainClosedPartitions(Duration period) {
        if (maintenance != null) {
            return;
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "store-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                indexClosedPartitions(Instant.now());
            } catch (RuntimeException e) {
                log.warn("store maintenance failed, trying again in {}: {}", period, e.getMessage());
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (maintenance != null) {
                maintenance.shutdownNow();
            }
        }
        super.close();
    }

    /**
     * Creates the consumption partitions of the UTC months {@code from}..{@code to} and the daily rollups'
     * partitions their days fall in, for a loader that writes those tables with its own SQL (the store
     * creates them before its own writes). A no-op with TimescaleDB.
     */
    public void prepareConsumptionMonths(YearMonth from, YearMonth to) {
        if (hypertables) {
            return;
        }
        Set<YearMonth> months = new HashSet<>();
        for (YearMonth m = from; !m.isAfter(to); m = m.plusMonths(1)) {
            months.add(m);
        }
        write("partitions", c -> {
            layout.ensure(c, List.of(), months);
            return null;
        });
    }

    @Override
    void beforeAppend(List<Reading> readings, List<ConsumptionInterval> intervals) {
        if (hypertables) {
            return;
        }
        Set<LocalDate> readingDays = new HashSet<>();
        for (Reading r : readings) {
            readingDays.add(LocalDate.ofInstant(r.time(), ZoneOffset.UTC));
        }
        Set<YearMonth> intervalMonths = new HashSet<>();
        for (ConsumptionInterval i : intervals) {
            intervalMonths.add(YearMonth.from(i.start().atOffset(ZoneOffset.UTC)));
        }
        write("partitions", c -> {
            layout.ensure(c, readingDays, intervalMonths);
            return null;
        });
    }

    @Override
    public void append(List<Reading> readings, List<ConsumptionInterval> intervals, Collection<Fence> fences) {
        try {
            super.append(readings, intervals, fences);
        } catch (StoreException e) {
            layout.forget(); // a partition dropped behind our back is created again next time
            throw e;
        }
    }

    @Override
    List<ConsumptionInterval> insertRows(Connection c, List<Reading> readings, List<ConsumptionInterval> intervals)
            throws SQLException {
        if (mode == AppendMode.JDBC_BATCH) {
            super.insertRows(c, readings, List.of());
            return sink.insert(c, List.of(), intervals);
        }
        return sink.insert(c, readings, intervals);
    }

    /**
     * With TimescaleDB, refreshes the three continuous aggregates over all time now (what their
     * policy does every 30 minutes), so rows written below an aggregate's watermark (late
     * readings, corrections, backfills) show at once; only buckets whose rows changed are
     * recomputed. Without it, recomputes the engine-maintained rollups.
     */
    @Override
    public void rebuildRollups() {
        if (!hypertables) {
            super.rebuildRollups();
            return;
        }
        try (Connection c = connect(); Statement st = c.createStatement()) { // a procedure: no transaction around it
            for (String view : List.of("consumption_hourly", "consumption_daily", "consumption_monthly")) {
                st.execute("call refresh_continuous_aggregate('" + view + "', null, null)");
            }
        } catch (SQLException e) {
            throw new StoreException("refreshing the continuous aggregates: " + e.getMessage(), e);
        }
    }

    @Override
    boolean maintainsRollups() {
        return !hypertables;
    }

    @Override
    public String describe() {
        return "PostgreSQL " + JdbcUrls.redact(url) + (hypertables ? " (TimescaleDB hypertables)" : " (daily and monthly partitions)");
    }
}
