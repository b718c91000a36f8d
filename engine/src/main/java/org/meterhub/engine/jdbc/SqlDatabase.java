package org.meterhub.engine.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.meterhub.engine.store.Dialect;
import org.meterhub.engine.store.Migrations;
import org.meterhub.engine.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * One JDBC connection to the store's database for the engine's rule records (alarms, flags,
 * corrections, estimates, work items, valve decisions), next to the store's own connections.
 *
 * <p>The store does not lend out its connections, so this opens its own from the same URL and
 * applies the same migrations (idempotent; serialised with the store's). On SQLite that is a
 * second connection to the WAL file: writes from both wait for each other through the busy
 * timeout, never corrupt. An in-memory SQLite URL gets its own private database, so callers that
 * share data with a store use a file.
 *
 * <p>Thread-safe: every unit of work runs in one transaction under one lock (rule records are
 * few compared with readings). A connection that failed with a connection error (SQLState class
 * 08) is reopened on next use; the failed call still throws {@link StoreException}.
 */
public final class SqlDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqlDatabase.class);
    private static final int BUSY_TIMEOUT_MS = 5_000;

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Binds the parameters of a statement. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Maps the current row. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final String url;
    private final Dialect dialect;
    private final String shown;
    private Connection connection; // guarded by this
    private boolean closed;        // guarded by this

    private SqlDatabase(String url, Dialect dialect) {
        this.url = url;
        this.dialect = dialect;
        this.shown = dialect + " " + redact(url);
    }

    /**
     * Opens {@code jdbc:sqlite:<file>} (or {@code jdbc:sqlite::memory:}) or
     * {@code jdbc:postgresql://...} and brings the schema up to date.
     *
     * @throws IllegalArgumentException for any other URL
     * @throws StoreException           when the database cannot be reached or migrated
     */
    public static SqlDatabase open(String url) {
        Dialect dialect;
        if (url != null && url.startsWith("jdbc:sqlite:")) {
            dialect = Dialect.SQLITE;
        } else if (url != null && url.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRESQL;
        } else {
            throw new IllegalArgumentException("not a jdbc:sqlite: or jdbc:postgresql: URL: " + redact(url));
        }
        SqlDatabase db = new SqlDatabase(url, dialect);
        try {
            db.tx("migrate", c -> Migrations.apply(c, dialect)); // commits each version itself
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /** Whether the URL names a private in-memory database that no other connection can see. */
    public static boolean isPrivateMemory(String url) {
        return url != null && url.startsWith("jdbc:sqlite:") && url.contains(":memory:");
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Runs the work in one transaction: committed on success, rolled back on failure. */
    public synchronized <T> T tx(String what, Work<T> work) {
        if (closed) throw new IllegalStateException("database is closed: " + shown);
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            throw new StoreException(what + " failed: cannot connect to " + shown + ": " + e.getMessage(), e);
        }
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException e) {
            rollbackQuietly(c);
            String state = e.getSQLState();
            if ((state != null && state.startsWith("08")) || isClosed(c)) {
                closeQuietly(c);
                connection = null;
            }
            throw new StoreException(what + " failed on " + shown + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rollbackQuietly(c);
            throw e;
        }
    }

    /** Rows of a query. */
    public static <T> List<T> query(Connection c, String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) rows.add(mapper.map(rs));
                return rows;
            }
        }
    }

    /** Executes an insert or update; the affected row count. */
    public static int update(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        }
    }

    /** Executes an {@code insert ... returning <id>} (both dialects support RETURNING). */
    public static long insertReturningId(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("insert returned no id: " + sql);
                return rs.getLong(1);
            }
        }
    }

    /** Binds a time, dropped to the millisecond as the store keeps times: epoch ms on SQLite, timestamptz on PostgreSQL. */
    public void bindTime(PreparedStatement ps, int index, Instant time) throws SQLException {
        Objects.requireNonNull(time, "time");
        Instant ms = time.truncatedTo(ChronoUnit.MILLIS);
        if (dialect == Dialect.SQLITE) {
            ps.setLong(index, ms.toEpochMilli());
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(ms, ZoneOffset.UTC));
        }
    }

    public void bindTime(PreparedStatement ps, int index, Optional<Instant> time) throws SQLException {
        if (time.isPresent()) {
            bindTime(ps, index, time.get());
        } else {
            ps.setNull(index, dialect == Dialect.SQLITE ? Types.BIGINT : Types.TIMESTAMP_WITH_TIMEZONE);
        }
    }

    public Instant readTime(ResultSet rs, int column) throws SQLException {
        return readOptionalTime(rs, column).orElseThrow(() -> new SQLException("null time in column " + column));
    }

    public Optional<Instant> readOptionalTime(ResultSet rs, int column) throws SQLException {
        if (dialect == Dialect.SQLITE) {
            long ms = rs.getLong(column);
            return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ms));
        }
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
    }

    /** A nullable bigint parameter. */
    public static void bindOptionalLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) ps.setNull(index, Types.BIGINT);
        else ps.setLong(index, value);
    }

    /** A short description for logs, without credentials. */
    public String describe() {
        return shown;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(connection);
        connection = null;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c;
            if (dialect == Dialect.SQLITE) {
                SQLiteConfig config = new SQLiteConfig();
                config.setBusyTimeout(BUSY_TIMEOUT_MS);
                c = config.createConnection(url);
            } else {
                Properties p = new Properties();
                p.setProperty("ApplicationName", "meterhub-engine-rules");
                p.setProperty("tcpKeepAlive", "true");
                c = DriverManager.getConnection(url, p);
            }
            c.setAutoCommit(false);
            connection = c;
        }
        return connection;
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("close failed", e);
        }
    }

    /** The URL with passwords replaced, for messages. */
    static String redact(String url) {
        if (url == null) return "null";
        return url.replaceAll("(?i)([?&;][a-z_]*password=)[^&;]*", "$1***").replaceAll("//([^/@?:]*):[^/@?]*@", "//$1:***@");
    }
}
