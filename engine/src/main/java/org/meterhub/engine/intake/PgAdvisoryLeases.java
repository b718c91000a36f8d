package org.meterhub.engine.intake;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition leases as PostgreSQL session-level advisory locks on one dedicated connection.
 * PostgreSQL is the arbiter, so there is no consensus code here: a lock is held until this
 * session unlocks it or ends, and a session ends when the engine process dies (its socket closes)
 * or, for a vanished host, when the server's TCP keepalives give up (set to about 20 s below).
 *
 * <p>Each engine also holds one "member" lock; counting the granted member locks in
 * {@code pg_locks} tells every engine how many share the stream, and each holds at most
 * ceil(partitions / members) leases: a newcomer gets its share as the others give up their extras
 * on their next refresh, and the partitions of a dead engine are taken on the next refresh of the
 * survivors (every {@code IntakeSettings.leaseRefresh}, 2 s by default).
 */
public final class PgAdvisoryLeases implements PartitionLeases {
    private static final Logger log = LoggerFactory.getLogger(PgAdvisoryLeases.class);
    /** Advisory lock key spaces (first int4 of the two-key form): "MHP1", "MHM1". */
    static final int PARTITION_SPACE = 0x4D48_5031;
    static final int MEMBER_SPACE = 0x4D48_4D31;
    private static final int MAX_MEMBERS = 256;

    private final String jdbcUrl;
    private final int partitions;
    private final TreeSet<Integer> held = new TreeSet<>();
    private Connection connection;
    private long verifiedAtNanos;

    public PgAdvisoryLeases(String jdbcUrl, int partitions) {
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("leases need a PostgreSQL URL (jdbc:postgresql://...), got a different kind");
        }
        this.jdbcUrl = jdbcUrl;
        this.partitions = Partitions.check(partitions);
    }

    @Override
    public Set<Integer> refresh() {
        try {
            if (connection == null) connect();
            int members = members();
            int target = (partitions + members - 1) / members;
            while (held.size() > target) {
                int p = held.last();
                unlock(p);
                held.remove(p);
                log.info("gave up partition {} ({} engines share {} partitions)", p, members, partitions);
            }
            for (int p = 0; p < partitions && held.size() < target; p++) {
                if (!held.contains(p) && tryLock(p)) {
                    held.add(p);
                    log.info("took partition {} ({} engines share {} partitions)", p, members, partitions);
                }
            }
            verifiedAtNanos = System.nanoTime();
        } catch (SQLException e) {
            lost("lease store failed: " + e.getMessage());
        }
        return Set.copyOf(held);
    }

    @Override
    public boolean holds(int partition) {
        if (!held.contains(partition) || connection == null) return false;
        if (System.nanoTime() - verifiedAtNanos > 1_000_000_000L) {
            // The session is the lease: if it is gone, so are the locks, possibly already re-taken.
            try (Statement s = connection.createStatement()) {
                s.execute("select 1");
                verifiedAtNanos = System.nanoTime();
            } catch (SQLException e) {
                lost("lease session failed: " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    private void connect() throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl);
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            // A vanished engine host frees its leases after about 5 + 3 * 5 = 20 s.
            s.execute("set tcp_keepalives_idle = 5");
            s.execute("set tcp_keepalives_interval = 5");
            s.execute("set tcp_keepalives_count = 3");
            s.execute("set application_name = 'meterhub-intake'");
        }
        for (int slot = 0; slot < MAX_MEMBERS; slot++) {
            if (tryLock(MEMBER_SPACE, slot)) return;
        }
        throw new SQLException("more than " + MAX_MEMBERS + " engines share this lease store");
    }

    private int members() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select count(*) from pg_locks where locktype = 'advisory'"
                + " and granted and classid::bigint = ? and objsubid = 2"
                + " and database = (select oid from pg_database where datname = current_database())")) {
            ps.setLong(1, MEMBER_SPACE);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Math.max(1, rs.getInt(1));
            }
        }
    }

    private boolean tryLock(int partition) throws SQLException {
        return tryLock(PARTITION_SPACE, partition);
    }

    private boolean tryLock(int space, int key) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, space);
            ps.setInt(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void unlock(int partition) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, PARTITION_SPACE);
            ps.setInt(2, partition);
            ps.execute();
        }
    }

    private void lost(String why) {
        if (!held.isEmpty()) log.warn("{}; holding no partitions until it is back", why);
        else log.debug(why);
        held.clear();
        closeConnection();
    }

    private void closeConnection() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the lease session: {}", e.getMessage());
        }
        connection = null;
    }

    /** Ends the session, which releases every lease at once. */
    @Override
    public void close() {
        held.clear();
        closeConnection();
    }
}
