package org.meterhub.gateway.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.meterhub.engine.intake.BatchEntry;
import org.meterhub.engine.intake.Partitions;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's durable local journal: every accepted reading is committed here before anything
 * downstream sees it, and leaves only when the engine has acknowledged that its store committed it.
 *
 * <p>Embedded SQLite in WAL mode. One writer thread takes readings from a bounded queue and
 * commits them in groups (one fsync for up to {@code commitBatch} readings: group commit), then
 * completes each reading's future. Each entry gets a sequence number that is never reused
 * ({@code AUTOINCREMENT}) and the partition of its meter. A second copy of the same reading
 * (meter, time, source) is ignored.
 *
 * <p>Disk use is the pages holding entries ({@code page_count - freelist_count}); deleted pages are
 * reused before the file grows. Above {@code alarmPercent} of the bound the level turns
 * {@link JournalLevel#NEARLY_FULL}; at the bound {@link JournalLevel#FULL} and new readings are
 * refused, never old ones dropped. Thread-safe: one connection behind one lock.
 *
 * <p><b>Write errors are a state, not an end.</b> A commit that fails (disk full, I/O error, a
 * file system remounted read-only) is rolled back, the connection is closed (SQLite may already
 * have rolled the transaction back itself, after which the driver's own rollback fails and every
 * later commit would say "no transaction is active") and opened again at the next attempt, and the
 * same readings are committed again, waiting 100 ms doubling to 1 s in between. Their futures
 * complete only then, so nothing is acknowledged that is not on disk; readings arriving meanwhile
 * wait in the bounded queue. {@link #accepting()} is false meanwhile: pollers pause and MQTT
 * redeliveries wait. The free space of the journal's file system is watched (every second) against
 * {@link JournalSettings#minFreeBytes()}, so an operator hears of a filling disk before SQLite does.
 */
public final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final String COLUMNS = "seq, meter_id, time_ms, source, received_ms, meter_time_ms, volume_l, flags, status_bits,"
            + " converter";
    /**
     * Rows per multi-row INSERT. One statement per row cost a JNI step/reset and an update of the
     * AUTOINCREMENT counter (sqlite_sequence) per reading; 64 rows × 10 parameters stays far below
     * SQLite's bound-parameter limit.
     */
    private static final int ROWS_PER_INSERT = 64;
    private static final String INSERT = "insert or ignore into entries (partition_no, meter_id, time_ms, source,"
            + " received_ms, meter_time_ms, volume_l, flags, status_bits, converter) values ";

    /**
     * A reading, a flush marker (no reading), or an MQTT uplink ({@code mark} with its readings and
     * {@code outcome}): the mark and its readings commit in one transaction or not at all.
     */
    private record Pending(Reading reading, CompletableFuture<Void> done, UplinkMark mark, List<Reading> readings,
                           CompletableFuture<UplinkOutcome> outcome) {
        Pending(Reading reading, CompletableFuture<Void> done) {
            this(reading, done, null, null, null);
        }

        int rows() {
            return readings != null ? readings.size() : reading != null ? 1 : 0;
        }

        void fail(Throwable t) {
            if (outcome != null) outcome.completeExceptionally(t);
            else done.completeExceptionally(t);
        }
    }

    /** How long uplink marks are kept, measured back from the newest (see {@link UplinkMarks}). */
    private volatile java.time.Duration uplinkRetention = java.time.Duration.ofDays(8);
    private final UplinkMarks marks = new UplinkMarks();
    private long nextPruneNanos;

    private final JournalSettings settings;
    private final JournalListener listener;
    /** Closed and replaced after a failure ({@link #broken}); guarded by {@link #lock}. */
    private Connection db;
    private boolean broken;
    private java.nio.file.FileStore fileStore;
    private long nextDiskCheckNanos;
    private long lastFailureLogNanos;
    private final Object lock = new Object();
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final JournalStats stats = new JournalStats();
    private final long[] pendingByPartition;
    private final long pageSize;
    private final List<Runnable> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The writer's INSERT statements by row count, prepared once (used under {@link #lock}). */
    private final PreparedStatement[] inserts = new PreparedStatement[ROWS_PER_INSERT + 1];
    private PreparedStatement highestSeq;
    private volatile boolean closing;

    private Journal(JournalSettings settings, JournalListener listener, Connection db) throws SQLException {
        this.settings = settings;
        this.listener = listener;
        this.db = db;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.pendingByPartition = new long[settings.partitions()];
        this.pageSize = pragma("page_size");
        repartitionIfChanged();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("select partition_no, count(*) from entries group by partition_no")) {
            while (rs.next()) pendingByPartition[rs.getInt(1)] = rs.getLong(2);
        }
        long total = 0;
        for (long n : pendingByPartition) total += n;
        stats.pending = total;
        measure();
        this.writer = new Thread(this::run, "gateway-journal");
        this.writer.setDaemon(true);
        this.writer.start();
        if (total > 0) log.info("journal {}: {} readings from before the restart wait for the engine", settings.path(), total);
    }

    /** Opens (creating if needed) the journal file and starts its writer. */
    public static Journal open(JournalSettings settings, JournalListener listener) {
        Path path = settings.path().toAbsolutePath();
        try {
            if (path.getParent() != null) Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new JournalException("journal " + path + ": cannot create its directory: " + e.getMessage(), e);
        }
        Connection c = null;
        try {
            c = connect(settings);
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists entries (seq integer primary key autoincrement,"
                        + " partition_no integer not null, meter_id text not null, time_ms integer not null,"
                        + " source text not null, received_ms integer not null, meter_time_ms integer,"
                        + " volume_l integer not null, flags text not null, status_bits integer not null, converter text)");
                s.execute("create index if not exists entries_partition on entries (partition_no, seq)");
                s.execute("create table if not exists journal_meta (key text primary key, value text not null)");
                // Readings the store refused for a reason that will not pass (constraint, bad data), with the reason.
                s.execute("create table if not exists dead_letter (seq integer primary key, partition_no integer not null,"
                        + " meter_id text not null, time_ms integer not null, source text not null,"
                        + " received_ms integer not null, meter_time_ms integer, volume_l integer not null,"
                        + " flags text not null, status_bits integer not null, converter text, reason text not null,"
                        + " rejected_ms integer not null)");
            }
            UplinkMarks.createTables(c);
            c.setAutoCommit(false);
            addConverterColumn(c);
            keyIndexByTimeFirst(c);
            c.commit();
            Journal journal = new Journal(settings, listener, c);
            org.meterhub.gateway.metrics.GatewayMetrics.watch(journal);
            return journal;
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the open failure is the one worth reporting
                }
            }
            throw new JournalException("journal " + path + ": " + e.getMessage(), e);
        }
    }

    /** A connection to the journal file with the journal's pragmas (WAL, durability), auto-commit on. */
    private static Connection connect(JournalSettings settings) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + settings.path().toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("pragma journal_mode = wal");
            s.execute("pragma synchronous = " + settings.durability().name());
            s.execute("pragma journal_size_limit = " + (4 << 20)); // the WAL shrinks back after checkpoints
            s.execute("pragma busy_timeout = 5000");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The connection, opened again when the last one was closed after a failure. Holds the lock. */
    private Connection db() throws SQLException {
        if (broken) {
            Connection c = connect(settings);
            c.setAutoCommit(false);
            db = c;
            broken = false;
            stats.reopens.incrementAndGet();
            log.info("journal {}: reopened after a failure", settings.path());
        }
        return db;
    }

    /**
     * After any failed statement: roll back, then close the connection, whatever state the driver
     * and SQLite are in; the next use opens a fresh one. Holds the lock.
     */
    private void failed() {
        if (broken) return;
        rollbackQuietly();
        closeStatements();
        try {
            db.close();
        } catch (SQLException e) {
            log.debug("journal {}: close after failure: {}", settings.path(), e.getMessage());
        }
        broken = true;
    }

    /**
     * The idempotency key's unique index leads with the time: readings arrive in about time order,
     * so new keys land at the right edge of the index and a commit dirties a few index pages
     * instead of one page per meter (the earlier (meter, time, source) order scattered every group
     * commit over the whole index, and each dirty page is a WAL frame to write and fsync). Same
     * columns, so exactly the same readings count as duplicates. A journal written before (index
     * {@code entries_key}) is converted in one transaction: a crash in between leaves the old index.
     */
    private static void keyIndexByTimeFirst(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("drop index if exists entries_key");
            s.execute("create unique index if not exists entries_key_t on entries (time_ms, meter_id, source)");
        }
    }

    /**
     * A volume converter's Vm, p and T ride with its reading ({@code converter}: "Vm litres,kPa,°C", null for
     * other meters). A journal written before that column existed gets it; its entries carry none.
     */
    private static void addConverterColumn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("pragma table_info(entries)")) {
            while (rs.next()) if (rs.getString("name").equals("converter")) return;
        }
        try (Statement s = c.createStatement()) {
            s.execute("alter table entries add column converter text");
        }
    }

    public JournalSettings settings() {
        return settings;
    }

    public JournalStats stats() {
        return stats;
    }

    /** Runs after every commit that added entries (on the writer thread); the forwarder wakes on it. */
    public void onCommit(Runnable r) {
        commitListeners.add(r);
    }

    /**
     * Queues the reading for the next commit. The future completes when the reading is durable in
     * the journal (or was already there); it fails with {@link JournalFullException} at once when
     * the journal is full or its queue is, so a caller can refuse rather than acknowledge.
     */
    public CompletableFuture<Void> append(Reading reading) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        JournalFullException refused = refusal();
        if (refused != null) {
            done.completeExceptionally(refused);
            return done;
        }
        if (!queue.offer(new Pending(reading, done))) {
            stats.refused.incrementAndGet();
            refusedMetric();
            done.completeExceptionally(new JournalFullException("journal queue full (" + settings.queueCapacity()
                    + " readings waiting for the disk)"));
        }
        return done;
    }

    /**
     * Queues an MQTT uplink's readings together with its identity (meter + seq). In the commit that
     * covers them the mark is checked against the uplinks taken before, also before a restart: a
     * redelivery ({@link UplinkOutcome#DUPLICATE}) writes nothing, and the same seq with other
     * content ({@link UplinkOutcome#CONFLICT}) is kept in {@code uplink_conflicts} instead of its
     * readings. The future completes with the outcome once durable; refusals as {@link #append}.
     *
     * @param mark null for an uplink without seq: its readings are journalled as by {@link #append}
     */
    public CompletableFuture<UplinkOutcome> appendUplink(UplinkMark mark, List<Reading> readings) {
        CompletableFuture<UplinkOutcome> outcome = new CompletableFuture<>();
        JournalFullException refused = refusal();
        if (refused != null || !queue.offer(new Pending(null, null, mark, List.copyOf(readings), outcome))) {
            if (refused == null) {
                stats.refused.incrementAndGet();
                refusedMetric();
                refused = new JournalFullException("journal queue full (" + settings.queueCapacity()
                        + " readings waiting for the disk)");
            }
            outcome.completeExceptionally(refused);
        }
        return outcome;
    }

    /** Uplinks whose seq had been taken with other content, oldest first. */
    public List<UplinkConflict> uplinkConflicts() {
        synchronized (lock) {
            try {
                List<UplinkConflict> out = UplinkMarks.conflicts(db());
                db.commit();
                return out;
            } catch (SQLException e) {
                failed();
                throw new JournalException("journal " + settings.path() + ": read failed: " + e.getMessage(), e);
            }
        }
    }

    /** How long uplink identities are remembered, counted back from the newest (default 8 days). */
    public void uplinkRetention(java.time.Duration retention) {
        this.uplinkRetention = retention;
    }

    /** Why a new reading would be refused now, or null. */
    private JournalFullException refusal() {
        if (closing) return new JournalFullException("journal is closing");
        if (stats.level == JournalLevel.FULL) {
            stats.refused.incrementAndGet();
            refusedMetric();
            return new JournalFullException("journal full (" + stats.usedBytes + " of "
                    + settings.maxBytes() + " bytes): refusing readings until the engine acknowledges");
        }
        return null;
    }

    /** Returns once everything appended before the call is committed. */
    public void flush() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.put(new Pending(null, done));
        while (true) {
            try {
                done.get(200, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new JournalException("journal " + settings.path() + ": " + e.getCause().getMessage(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                // A journal that cannot write holds what was appended; whoever flushes is told, not blocked.
                if (!stats.writable()) {
                    throw new JournalException("journal " + settings.path() + " cannot write since "
                            + stats.failingSince() + ": " + stats.lastWriteError(), null);
                }
            }
        }
    }

    /**
     * Whether a new reading would be taken in: the journal is writing, is not full, and is not
     * closing. Pollers read their meters only while it is (a cumulative register loses nothing by
     * being read later), and an MQTT redelivery is fetched only then.
     */
    public boolean accepting() {
        return !closing && stats.writable() && stats.level != JournalLevel.FULL
                && queue.remainingCapacity() > settings.queueCapacity() / 10;
    }

    /** Entries not yet acknowledged in {@code partition}, without a query. */
    public long pendingIn(int partition) {
        synchronized (lock) {
            return pendingByPartition[partition];
        }
    }

    /** The oldest {@code limit} unacknowledged entries of the partition, by sequence. */
    public List<BatchEntry> oldest(int partition, int limit) {
        synchronized (lock) {
            try (PreparedStatement ps = db().prepareStatement("select " + COLUMNS
                    + " from entries where partition_no = ? order by seq limit ?")) {
                ps.setInt(1, partition);
                ps.setInt(2, limit);
                List<BatchEntry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(entry(rs));
                }
                db.commit(); // end the read transaction so checkpoints can proceed
                return out;
            } catch (SQLException e) {
                failed();
                throw new JournalException("journal " + settings.path() + ": read failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Removes the partition's entries with sequence in [first, last]: the engine committed them.
     * Repeated and late acknowledgements are harmless.
     *
     * @return how many entries were removed
     */
    public int acknowledge(int partition, long first, long last) {
        return acknowledge(partition, first, last, java.util.Map.of());
    }

    /**
     * As {@link #acknowledge(int, long, long)}, and in the same transaction the entries the engine
     * refused for a reason that will not pass ({@code rejected}: sequence → reason) are set aside in
     * the dead-letter table instead of being dropped.
     */
    public int acknowledge(int partition, long first, long last, java.util.Map<Long, String> rejected) {
        int removed;
        synchronized (lock) {
            try {
                Connection c = db();
                int setAside = 0;
                if (!rejected.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("insert or ignore into dead_letter (" + COLUMNS
                            + ", partition_no, reason, rejected_ms) select " + COLUMNS
                            + ", partition_no, ?, ? from entries where partition_no = ? and seq = ?")) {
                        for (var r : rejected.entrySet()) {
                            if (r.getKey() < first || r.getKey() > last) continue;
                            ps.setString(1, r.getValue());
                            ps.setLong(2, System.currentTimeMillis());
                            ps.setInt(3, partition);
                            ps.setLong(4, r.getKey());
                            setAside += ps.executeUpdate();
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "delete from entries where partition_no = ? and seq between ? and ?")) {
                    ps.setInt(1, partition);
                    ps.setLong(2, first);
                    ps.setLong(3, last);
                    removed = ps.executeUpdate();
                }
                c.commit();
                stats.deadLettered.addAndGet(setAside);
                if (setAside > 0) {
                    log.warn("journal {}: {} readings of partition {} refused by the store for good, set aside in"
                            + " dead_letter: {}", settings.path(), setAside, partition, rejected.values());
                }
            } catch (SQLException e) {
                failed();
                throw new JournalException("journal " + settings.path() + ": acknowledge failed: " + e.getMessage(), e);
            }
            pendingByPartition[partition] -= removed;
            stats.pending -= removed;
            stats.acknowledged.addAndGet(removed);
            if (removed > 0) measure();
        }
        return removed;
    }

    /**
     * Binds the journal to the one engine store (or link) it feeds. A journal still holding
     * readings for a different target is refused, so they never land in the wrong store; an empty
     * journal is simply re-bound.
     */
    public void claim(String target) {
        synchronized (lock) {
            try {
                String was = null;
                try (PreparedStatement ps = db().prepareStatement("select value from journal_meta where key = 'target'");
                     ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) was = rs.getString(1);
                }
                if (was != null && !was.equals(target) && stats.pending > 0) {
                    db.commit();
                    throw new JournalException("journal " + settings.path() + " holds " + stats.pending
                            + " readings for " + was + ", not " + target + ": run against that target until it is"
                            + " empty, or give this one another journal path", null);
                }
                try (PreparedStatement ps = db.prepareStatement(
                        "insert or replace into journal_meta (key, value) values ('target', ?)")) {
                    ps.setString(1, target);
                    ps.executeUpdate();
                }
                db.commit();
            } catch (SQLException e) {
                failed();
                throw new JournalException("journal " + settings.path() + ": " + e.getMessage(), e);
            }
        }
    }

    /** The readings set aside because the store refused them for good, oldest first, with their reasons. */
    public List<DeadLetter> deadLetters() {
        synchronized (lock) {
            try (Statement s = db().createStatement();
                 ResultSet rs = s.executeQuery("select " + COLUMNS + ", reason, rejected_ms from dead_letter order by seq")) {
                List<DeadLetter> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new DeadLetter(entry(rs), rs.getString("reason"), Instant.ofEpochMilli(rs.getLong("rejected_ms"))));
                }
                db.commit();
                return out;
            } catch (SQLException e) {
                failed();
                throw new JournalException("journal " + settings.path() + ": read failed: " + e.getMessage(), e);
            }
        }
    }

    /** A reading the store refused for good, kept with the reason. */
    public record DeadLetter(BatchEntry entry, String reason, Instant rejectedAt) {
    }

    /** Every unacknowledged entry, oldest first (tests and tools). */
    public List<BatchEntry> all() {
        synchronized (lock) {
            try (Statement s = db().createStatement();
                 ResultSet rs = s.executeQuery("select " + COLUMNS + " from entries order by seq")) {
                List<BatchEntry> out = new ArrayList<>();
                while (rs.next()) out.add(entry(rs));
                db.commit();
                return out;
            } catch (SQLException e) {
                failed();
                throw new JournalException("journal " + settings.path() + ": read failed: " + e.getMessage(), e);
            }
        }
    }

    private void run() {
        long lingerNanos = settings.commitLinger().toNanos();
        List<Pending> group = new ArrayList<>(settings.commitBatch());
        long retryMs = 0;
        try {
            while (!(closing && queue.isEmpty() && group.isEmpty())) {
                watchDisk();
                if (group.isEmpty()) {
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    group.add(first);
                    // A sleep, not a timed poll: those arriving meanwhile do not wake the writer one by one.
                    if (lingerNanos > 0 && queue.size() < settings.commitBatch() - 1) LockSupport.parkNanos(lingerNanos);
                }
                queue.drainTo(group, settings.commitBatch() - group.size());
                if (commit(group)) {
                    group.clear();
                    retryMs = 0;
                } else if (closing) {
                    break; // shutting down while the disk refuses: what waits was not accepted
                } else {
                    // The same readings again, after a wait: they were not acknowledged to anyone.
                    retryMs = Math.min(Math.max(100, retryMs * 2), 1_000);
                    Thread.sleep(retryMs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        JournalException closed = new JournalException("journal " + settings.path() + " closed before these readings"
                + " could be written" + (stats.writable() ? "" : ": " + stats.lastWriteError()), null);
        for (Pending p : group) p.fail(closed);
        for (Pending p : queue) p.fail(new JournalFullException("journal closed"));
    }

    /** Free space of the journal's file system, at most once a second: the early alarm before SQLite fails. */
    private void watchDisk() {
        long now = System.nanoTime();
        if (now - nextDiskCheckNanos < 0) return;
        nextDiskCheckNanos = now + 1_000_000_000L;
        long free = freeBytes();
        if (free < 0) return;
        long min = settings.minFreeBytes();
        if (min <= 0) return;
        if (!stats.diskLow && free < min) {
            stats.diskLow = true;
            log.warn("journal {}: ALARM disk low: {} bytes free on its file system, below min-free-disk {}",
                    settings.path(), free, min);
            listener.diskLow(settings.path(), free, min);
        } else if (stats.diskLow && free >= min + min / 20) {
            stats.diskLow = false;
            log.info("journal {}: disk space back above min-free-disk ({} bytes free)", settings.path(), free);
            listener.diskOk(settings.path(), free);
        }
    }

    /** Usable bytes on the journal's file system (-1 when it cannot be asked); also kept in the stats. */
    private long freeBytes() {
        try {
            if (fileStore == null) fileStore = Files.getFileStore(settings.path().toAbsolutePath().getParent());
            long free = fileStore.getUsableSpace();
            stats.freeBytes = free;
            return free;
        } catch (IOException | RuntimeException e) {
            fileStore = null;
            log.debug("journal {}: cannot read free space: {}", settings.path(), e.getMessage());
            return -1;
        }
    }

    /**
     * SQLite's result codes for a statement that can never succeed with these values (constraint,
     * too big, type mismatch, range): retrying would loop for ever, so such a group is refused.
     */
    private static boolean permanent(SQLException e) {
        int code = e.getErrorCode() & 0xff; // primary result code of an extended one
        return code == 18 || code == 19 || code == 20 || code == 25;
    }

    /** @return true when the group is committed (or refused for good); false to retry it later */
    private boolean commit(List<Pending> group) {
        int rows = 0;
        for (Pending p : group) rows += p.rows(); // flush markers have none
        int added = 0;
        UplinkOutcome[] outcomes = new UplinkOutcome[group.size()];
        int[] addedByPartition = new int[settings.partitions()];
        synchronized (lock) {
            try {
                db();
                long seqBefore = highestSeq();
                Reading[] chunk = new Reading[ROWS_PER_INSERT];
                int[] partitions = new int[ROWS_PER_INSERT];
                int n = 0;
                int skipped = 0;
                for (int g = 0; g < group.size(); g++) {
                    Pending p = group.get(g);
                    List<Reading> rs;
                    if (p.readings() != null) {
                        // Checked in order, in this transaction: a second copy in the same group sees the first.
                        outcomes[g] = p.mark() == null ? UplinkOutcome.NEW : marks.record(db, p.mark());
                        if (outcomes[g] != UplinkOutcome.NEW) {
                            skipped += p.readings().size();
                            continue;
                        }
                        rs = p.readings();
                    } else if (p.reading() != null) {
                        rs = List.of(p.reading());
                    } else {
                        continue;
                    }
                    for (Reading r : rs) {
                        int partition = Partitions.of(r.meterId(), settings.partitions());
                        addedByPartition[partition]++;
                        partitions[n] = partition;
                        chunk[n++] = r;
                        if (n == ROWS_PER_INSERT) {
                            added += insert(chunk, partitions, n);
                            n = 0;
                        }
                    }
                }
                if (n > 0) added += insert(chunk, partitions, n);
                rows -= skipped;
                pruneMarks();
                if (added < rows) {
                    // Some were already journalled (or twice in this group): count what is new from
                    // the table. New entries have sequences above every older one.
                    java.util.Arrays.fill(addedByPartition, 0);
                    try (PreparedStatement ps = db.prepareStatement(
                            "select partition_no, count(*) from entries where seq > ? group by partition_no")) {
                        ps.setLong(1, seqBefore);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) addedByPartition[rs.getInt(1)] = rs.getInt(2);
                        }
                    }
                }
                long commitStart = System.nanoTime();
                db.commit();
                org.meterhub.gateway.metrics.GatewayMetrics.JOURNAL_FSYNC_SECONDS.observe((System.nanoTime() - commitStart) / 1e9);
            } catch (SQLException e) {
                failed(); // rolled back and closed: SQLite may have ended the transaction itself
                stats.writeFailures.incrementAndGet();
                if (permanent(e)) {
                    log.error("journal {}: commit of {} readings refused: {}", settings.path(), rows, e.getMessage());
                    JournalException failure = new JournalException("journal commit refused: " + e.getMessage(), e);
                    group.forEach(p -> p.fail(failure));
                    return true;
                }
                writeFailed(rows, e);
                return false;
            }
            for (int p = 0; p < addedByPartition.length; p++) pendingByPartition[p] += addedByPartition[p];
            stats.duplicates.addAndGet(rows - added);
            stats.pending += added;
            stats.appended.addAndGet(added);
            stats.commits.incrementAndGet();
            measure();
        }
        if (stats.failingSince != null) {
            java.time.Duration outage = java.time.Duration.between(stats.failingSince, Instant.now());
            stats.failingSince = null;
            stats.lastWriteError = null;
            log.info("journal {}: writing again after {} ms ({} failed attempts so far); the {} readings that waited"
                    + " are journalled", settings.path(), outage.toMillis(), stats.writeFailures(), rows);
            listener.writeRecovered(settings.path(), outage);
        }
        for (int g = 0; g < group.size(); g++) {
            Pending p = group.get(g);
            if (p.outcome() != null) {
                if (outcomes[g] == UplinkOutcome.DUPLICATE) stats.uplinkDuplicates.incrementAndGet();
                if (outcomes[g] == UplinkOutcome.CONFLICT) stats.uplinkConflicts.incrementAndGet();
                p.outcome().complete(outcomes[g]);
            } else {
                p.done().complete(null);
            }
        }
        if (added > 0) commitListeners.forEach(Runnable::run);
        return true;
    }

    /** A commit failed for a reason that may pass: the state, one alarm per outage, a log line at most every 30 s. */
    private void writeFailed(int rows, SQLException e) {
        long free = freeBytes();
        stats.lastWriteError = e.getMessage();
        long now = System.nanoTime();
        if (stats.failingSince == null) {
            stats.failingSince = Instant.now();
            lastFailureLogNanos = now;
            log.error("journal {}: ALARM cannot write ({}); {} bytes free on its file system. The {} readings of this"
                    + " commit are kept and retried; polling pauses and MQTT acknowledgements wait until it writes"
                    + " again", settings.path(), e.getMessage(), free, rows);
            listener.writeFailed(settings.path(), free, e.getMessage());
        } else if (now - lastFailureLogNanos > 30_000_000_000L) {
            lastFailureLogNanos = now;
            log.warn("journal {}: still cannot write since {} ({}); {} bytes free, {} readings waiting",
                    settings.path(), stats.failingSince, e.getMessage(), free, rows + queue.size());
        }
    }

    /** Inserts the first {@code n} readings with one statement, in order; returns how many were new. Holds the lock. */
    private int insert(Reading[] chunk, int[] partitions, int n) throws SQLException {
        PreparedStatement ps = inserts[n];
        if (ps == null) {
            StringBuilder sql = new StringBuilder(INSERT);
            for (int i = 0; i < n; i++) sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?)");
            ps = inserts[n] = db.prepareStatement(sql.toString());
        }
        int k = 1;
        for (int i = 0; i < n; i++) {
            Reading r = chunk[i];
            ps.setInt(k++, partitions[i]);
            ps.setString(k++, r.meterId());
            ps.setLong(k++, r.time().toEpochMilli());
            ps.setString(k++, r.source().name());
            ps.setLong(k++, r.receivedAt().toEpochMilli());
            if (r.meterTime() != null) ps.setLong(k++, r.meterTime().toEpochMilli());
            else ps.setNull(k++, java.sql.Types.INTEGER);
            ps.setLong(k++, r.volumeL());
            ps.setString(k++, flags(r));
            ps.setInt(k++, r.statusBits());
            ConverterValues cv = r.converter();
            if (cv != null) {
                ps.setString(k++, cv.unconvertedL() + "," + cv.pressureKpa().toPlainString() + ","
                        + cv.temperatureC().toPlainString());
            } else {
                ps.setNull(k++, java.sql.Types.VARCHAR);
            }
        }
        return ps.executeUpdate();
    }

    /** Once an hour (and at the first commit), inside the commit's transaction: uplink marks beyond the retention go. */
    private void pruneMarks() throws SQLException {
        long now = System.nanoTime();
        if (nextPruneNanos != 0 && now - nextPruneNanos < 0) return;
        nextPruneNanos = now + 3_600_000_000_000L;
        int pruned = UplinkMarks.prune(db, uplinkRetention);
        if (pruned > 0) log.debug("journal {}: {} uplink marks older than {} pruned", settings.path(), pruned, uplinkRetention);
    }

    /** The highest sequence in the table (0 when empty): every entry inserted after has a higher one. Holds the lock. */
    private long highestSeq() throws SQLException {
        if (highestSeq == null) highestSeq = db.prepareStatement("select coalesce(max(seq), 0) from entries");
        try (ResultSet rs = highestSeq.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Closes the writer's kept statements (after a failed commit, and at close). Holds the lock. */
    private void closeStatements() {
        for (int i = 0; i < inserts.length; i++) {
            closeQuietly(inserts[i]);
            inserts[i] = null;
        }
        closeQuietly(highestSeq);
        highestSeq = null;
        marks.close();
    }

    private static void closeQuietly(PreparedStatement ps) {
        if (ps == null) return;
        try {
            ps.close();
        } catch (SQLException e) {
            log.debug("close statement: {}", e.getMessage());
        }
    }

    /** Updates used bytes and the level; tells the listener (and the log) when the level changes. Holds the lock. */
    private void measure() {
        long used;
        if (broken) return;
        try {
            used = (pragma("page_count") - pragma("freelist_count")) * pageSize;
        } catch (SQLException e) {
            log.warn("journal {}: cannot measure its size: {}", settings.path(), e.getMessage());
            return;
        }
        stats.usedBytes = used;
        JournalLevel before = stats.level;
        long max = settings.maxBytes();
        long alarm = settings.alarmBytes();
        // 5 % hysteresis, so a journal hovering at a threshold does not flap its alarm.
        JournalLevel now;
        if (used >= max || (before == JournalLevel.FULL && used >= max / 100 * 95)) now = JournalLevel.FULL;
        else if (used >= alarm || (before != JournalLevel.OK && used >= alarm / 100 * 95)) now = JournalLevel.NEARLY_FULL;
        else now = JournalLevel.OK;
        if (now == before) return;
        stats.level = now;
        switch (now) {
            case FULL -> log.error("journal {} is FULL ({} of {} bytes, {} readings waiting): refusing new readings"
                    + " until the engine acknowledges; nothing already journalled is dropped", settings.path(), used,
                    settings.maxBytes(), stats.pending);
            case NEARLY_FULL -> log.warn("journal {} is above {}% of its bound ({} of {} bytes, {} readings waiting):"
                    + " the engine link is behind or down", settings.path(), settings.alarmPercent(), used,
                    settings.maxBytes(), stats.pending);
            case OK -> log.info("journal {} is below its alarm level again ({} bytes)", settings.path(), used);
        }
        listener.levelChanged(now, used, settings.maxBytes());
    }

    private long pragma(String name) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("pragma " + name)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void repartitionIfChanged() throws SQLException {
        String was = null;
        try (PreparedStatement ps = db.prepareStatement("select value from journal_meta where key = 'partitions'");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) was = rs.getString(1);
        }
        String now = Integer.toString(settings.partitions());
        if (now.equals(was)) return;
        if (was != null) {
            // Entries wait in the partition of the count they were written with; move them to today's.
            List<long[]> moves = new ArrayList<>();
            try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("select seq, meter_id from entries")) {
                while (rs.next()) moves.add(new long[] {rs.getLong(1), Partitions.of(rs.getString(2), settings.partitions())});
            }
            try (PreparedStatement ps = db.prepareStatement("update entries set partition_no = ? where seq = ?")) {
                for (long[] m : moves) {
                    ps.setInt(1, (int) m[1]);
                    ps.setLong(2, m[0]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            log.info("journal {}: partitions changed from {} to {}; {} waiting readings moved", settings.path(), was, now,
                    moves.size());
        }
        try (PreparedStatement ps = db.prepareStatement("insert or replace into journal_meta (key, value) values ('partitions', ?)")) {
            ps.setString(1, now);
            ps.executeUpdate();
        }
        db.commit();
    }

    private static String flags(Reading r) {
        if (r.flags().isEmpty()) return "";
        StringBuilder b = new StringBuilder();
        for (ReadingFlag f : ReadingFlag.values()) {
            if (!r.has(f)) continue;
            if (b.length() > 0) b.append(',');
            b.append(f.name());
        }
        return b.toString();
    }

    private static BatchEntry entry(ResultSet rs) throws SQLException {
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        String f = rs.getString(8);
        if (!f.isEmpty()) for (String name : f.split(",")) flags.add(ReadingFlag.valueOf(name));
        long mt = rs.getLong(6);
        Instant meterTime = rs.wasNull() ? null : Instant.ofEpochMilli(mt);
        Reading r = new Reading(rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(5)),
                rs.getLong(7), ReadingSource.valueOf(rs.getString(4)), flags, rs.getInt(9), meterTime,
                converter(rs.getString(10)));
        return new BatchEntry(rs.getLong(1), r);
    }

    private static ConverterValues converter(String text) {
        if (text == null) return null;
        String[] parts = text.split(",", -1);
        return new ConverterValues(Long.parseLong(parts[0]), new BigDecimal(parts[1]), new BigDecimal(parts[2]));
    }

    private void rollbackQuietly() {
        try {
            db.rollback();
        } catch (SQLException e) {
            log.debug("rollback: {}", e.getMessage());
        }
    }

    private static void refusedMetric() {
        org.meterhub.engine.metrics.EngineMetrics.READINGS_REJECTED.labelValues(
                org.meterhub.engine.metrics.EngineMetrics.JOURNAL_FULL).inc();
    }

    /** Commits everything queued, then closes the file. Unacknowledged entries stay for the next start. */
    @Override
    public void close() {
        closing = true;
        org.meterhub.gateway.metrics.GatewayMetrics.forget(this);
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            try {
                closeStatements();
                if (!broken) db.close();
            } catch (SQLException e) {
                log.warn("journal {}: close: {}", settings.path(), e.getMessage());
            }
        }
    }
}
