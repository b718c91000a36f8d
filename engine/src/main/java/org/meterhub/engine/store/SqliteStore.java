package org.meterhub.engine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded single-box store: one SQLite file in WAL mode with {@code synchronous=NORMAL}
 * (a commit survives a process crash; a power cut may lose the last commits, never corrupt
 * the file) and a busy timeout for the rare other process on the same file.
 *
 * <p>Times are INTEGER epoch milliseconds (see {@code db/sqlite/V1__base.sql}). One append is
 * one transaction with batched inserts, which sustains well over 10k rows/s.
 *
 * <p><b>Threads</b>: safe for one writer thread plus any number of reader threads. Writes go
 * through one connection under a lock (concurrent writers are serialised); reads go through a
 * second, read-only connection under another lock, so they see the last committed state without
 * waiting for a write in progress (readers wait for each other). An in-memory store has a single
 * connection, so there reads wait for writes.
 *
 * <p>Times are kept to the millisecond (a finer part is dropped on write), as in
 * {@link PostgresStore}, so both stores give identical answers.
 */
public final class SqliteStore extends JdbcMeterStore {

    /** How long a statement waits for another process's lock before failing. */
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 5_000;

    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);
    private static final String MEMORY = ":memory:";

    private final String location;
    private final int busyTimeoutMs;

    /** Opens (creating it and its parent directories if needed) the store in {@code file}. */
    public SqliteStore(Path file) {
        this(file, DEFAULT_BUSY_TIMEOUT_MS);
    }

    public SqliteStore(Path file, int busyTimeoutMs) {
        this(file.toAbsolutePath().normalize().toString(), busyTimeoutMs);
    }

    private SqliteStore(String location, int busyTimeoutMs) {
        super(Dialect.SQLITE, !MEMORY.equals(location));
        if (busyTimeoutMs < 0) {
            throw new IllegalArgumentException("busy timeout must not be negative: " + busyTimeoutMs);
        }
        this.location = location;
        this.busyTimeoutMs = busyTimeoutMs;
        if (!MEMORY.equals(location)) {
            createParentDirectories(Path.of(location));
        }
        open();
    }

    /** A store in memory, gone when closed; for tests and tools. */
    public static SqliteStore inMemory() {
        return new SqliteStore(MEMORY, DEFAULT_BUSY_TIMEOUT_MS);
    }

    @Override
    Connection connectWriter() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(busyTimeoutMs);
        Connection c = config.createConnection(url());
        try {
            if (!MEMORY.equals(location)) {
                checkWal(c);
            }
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    @Override
    Connection connectReader() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(busyTimeoutMs);
        return config.createConnection(url());
    }

    @Override
    public String describe() {
        return "SQLite " + location + (MEMORY.equals(location) ? "" : " (WAL, synchronous=NORMAL)");
    }

    private String url() {
        return "jdbc:sqlite:" + location;
    }

    private void checkWal(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("pragma journal_mode")) {
            String mode = rs.next() ? rs.getString(1) : "?";
            if (!"wal".equalsIgnoreCase(mode)) {
                log.warn("{}: journal_mode is {} instead of wal (file system without shared memory?);"
                        + " readers will wait for writers", location, mode);
            }
        }
    }

    private static void createParentDirectories(Path file) {
        Path parent = file.getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new StoreException("cannot create directory " + parent + " for the SQLite store", e);
        }
    }
}
