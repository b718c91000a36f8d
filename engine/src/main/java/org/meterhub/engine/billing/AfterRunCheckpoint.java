package org.meterhub.engine.billing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.function.Supplier;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's checkpoint of a bill run's WAL, moved out of the run's commit. The run is one transaction
 * (all or nothing); it writes about 1 KB of bills and lines an account into the WAL, 1 GB for 1 000 000
 * accounts, and with the automatic checkpoint its commit also copied all of that into the database file,
 * on the run's thread after the last account (9 to 19 s in the benchmark, issue 14). Now the run's
 * connection has the automatic checkpoint off while the run writes, and {@code synchronous=NORMAL}, the
 * store's own setting: the commit appends the last frames to the WAL without waiting for the disk (the
 * fsync of the WAL's last gigabyte took 6.7 s at the end of the run). A thread of this class then
 * checkpoints (PASSIVE: readers and writers go on meanwhile) with the connection's setting back
 * (SQLite's default FULL): it syncs the WAL first, then copies it into the database file and syncs that.
 * So the run's bills are committed at the commit and safe from a crash of the process, as every store
 * write is; safe from a power loss once that sync is done. {@link #close} waits for it, so a
 * process that closes its {@link Billing} leaves the database checkpointed as before. A write on another
 * connection in the meantime may do part of that checkpoint itself (its automatic checkpoint).
 * PostgreSQL: nothing to do.
 */
final class AfterRunCheckpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AfterRunCheckpoint.class);

    private final SqlDatabase db;
    private Thread thread; // guarded by this

    AfterRunCheckpoint(SqlDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Runs {@code run} (which commits on {@link #db}) with the automatic checkpoint off, then checkpoints on a thread. */
    <T> T around(Supplier<T> run) {
        if (db.dialect() != Dialect.SQLITE) return run.get();
        await(); // the previous run's
        int[] before = db.tx("automatic checkpoint off for a bill run", c -> {
            int[] was = {pragmaInt(c, "pragma wal_autocheckpoint"), pragmaInt(c, "pragma synchronous")};
            exec(c, "pragma wal_autocheckpoint = 0");
            outside(c, "pragma synchronous = normal");
            return was;
        });
        try {
            return run.get();
        } finally {
            db.tx("automatic checkpoint back on", c -> {
                exec(c, "pragma wal_autocheckpoint = " + before[0]);
                outside(c, "pragma synchronous = " + before[1]);
                return null;
            });
            start();
        }
    }

    private synchronized void start() {
        thread = new Thread(() -> {
            try {
                db.tx("checkpoint after a bill run", c -> {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("pragma wal_checkpoint(passive)")) {
                        if (rs.next() && (rs.getInt(1) != 0 || rs.getInt(2) != rs.getInt(3))) {
                            log.info("checkpoint after the bill run: {} of {} WAL frames copied (readers hold the rest;"
                                    + " a later checkpoint copies them)", rs.getInt(3), rs.getInt(2));
                        }
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                log.warn("checkpoint after the bill run failed (the bills are committed; a later checkpoint copies them): {}",
                        e.getMessage());
            }
        }, "bill-run-checkpoint");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for the checkpoint of the last run, if one is under way. */
    void await() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) Join.uninterruptibly(t);
    }

    @Override
    public void close() {
        await();
    }

    private static void exec(java.sql.Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** SQLite refuses {@code pragma synchronous} inside a transaction: the connection's (empty) one is left for it. */
    private static void outside(java.sql.Connection c, String sql) throws SQLException {
        c.setAutoCommit(true);
        try {
            exec(c, sql);
        } finally {
            c.setAutoCommit(false);
        }
    }

    private static int pragmaInt(java.sql.Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 1000;
        }
    }
}
