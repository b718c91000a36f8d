package org.meterhub.engine.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head-end store on PostgreSQL 13 or later, with TimescaleDB when it is available.
 *
 * <p>At open, after the migrations, the store tries {@code create extension if not exists
 * timescaledb}. If that succeeds, readings (on {@code time}) and consumption (on
 * {@code start_time}) become hypertables; if the extension is not installed or cannot be
 * created, they stay plain tables. TimescaleDB is detected, never required; queries are the
 * same either way. {@link #describe()} says which.
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

    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);

    private final String url;
    private volatile boolean hypertables;

    /**
     * @param url {@code jdbc:postgresql://host[:port]/database?user=...&password=...}; parameters
     *            in the URL override the store's defaults (reWriteBatchedInserts, ApplicationName)
     */
    public PostgresStore(String url) {
        super(Dialect.POSTGRESQL, true);
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + JdbcUrls.redact(url));
        }
        this.url = url;
        open();
    }

    /** Whether readings and consumption are TimescaleDB hypertables. */
    public boolean hypertables() {
        return hypertables;
    }

    @Override
    Connection connectWriter() throws SQLException {
        Connection c = connect();
        c.setAutoCommit(false);
        return c;
    }

    @Override
    Connection connectReader() throws SQLException {
        return connect();
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
        hypertables = enableTimescale(c);
    }

    /** Makes the time-series tables hypertables when TimescaleDB can be enabled; true if it did. */
    private static boolean enableTimescale(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean available;
            try (ResultSet rs = st.executeQuery("select 1 from pg_available_extensions where name = 'timescaledb'")) {
                available = rs.next();
            }
            c.commit();
            if (!available) {
                log.info("TimescaleDB is not installed on the server; readings and consumption are plain tables");
                return false;
            }
            try {
                st.execute("create extension if not exists timescaledb");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                log.warn("TimescaleDB is installed but cannot be enabled ({}); readings and consumption"
                        + " are plain tables", e.getMessage());
                return false;
            }
            // No-ops when they are hypertables already; migrate_data moves rows written while plain.
            st.execute("select create_hypertable('readings', 'time', if_not_exists => true, migrate_data => true)");
            st.execute("select create_hypertable('consumption', 'start_time', if_not_exists => true,"
                    + " migrate_data => true)");
            c.commit();
            log.info("TimescaleDB enabled; readings and consumption are hypertables");
            return true;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    @Override
    public String describe() {
        return "PostgreSQL " + JdbcUrls.redact(url) + (hypertables ? " (TimescaleDB hypertables)" : " (plain tables)");
    }
}
