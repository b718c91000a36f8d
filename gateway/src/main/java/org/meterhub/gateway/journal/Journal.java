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

    private record Pending(Reading reading, CompletableFuture<Void> done) {
    }

    private final JournalSettings settings;
    private final JournalListener listener;
    private final Connection db;
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
            c = DriverManager.getConnection("jdbc:sqlite:" + path);
            try (Statement s = c.createStatement()) {
                s.execute("pragma journal_mode = wal");
                s.execute("pragma synchronous = " + settings.durability().name());
                s.execute("pragma journal_size_limit = " + (4 << 20)); // the WAL shrinks back after checkpoints
                s.execute("pragma busy_timeout = 5000");
                s.execute("create table if not exists entries (seq integer primary key autoincrement,"
                        + " partition_no integer not null, meter_id text not null, time_ms integer not null,"
                        + " source text not null, received_ms integer not null, meter_time_ms integer,"
                        + " volume_l integer not null, flags text not null, status_bits integer not null, converter text)");
                s.execute("create index if not exists entries_partition on entries (partition_no, seq)");
                s.execute("create table if not exists journal_meta (key text primary key, value text not null)");
            }
            c.setAutoCommit(false);
            addConverterColumn(c);
            keyIndexByTimeFirst(c);
            c.commit();
            return new Journal(settings, listener, c);
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
        if (closing) {
            done.completeExceptionally(new JournalFullException("journal is closing"));
            return done;
        }
        if (stats.level == JournalLevel.FULL) {
            stats.refused.incrementAndGet();
            done.completeExceptionally(new JournalFullException("journal full (" + stats.usedBytes + " of "
                    + settings.maxBytes() + " bytes): refusing readings until the engine acknowledges"));
            return done;
        }
        if (!queue.offer(new Pending(reading, done))) {
            stats.refused.incrementAndGet();
            done.completeExceptionally(new JournalFullException("journal queue full (" + settings.queueCapacity()
                    + " readings waiting for the disk)"));
        }
        return done;
    }

    /** Returns once everything appended before the call is committed. */
    public void flush() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.put(new Pending(null, done));
        try {
            done.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new JournalException("journal " + settings.path() + ": " + e.getCause().getMessage(), e.getCause());
        }
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
            try (PreparedStatement ps = db.prepareStatement("select " + COLUMNS
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
        int removed;
        synchronized (lock) {
            try (PreparedStatement ps = db.prepareStatement(
                    "delete from entries where partition_no = ? and seq between ? and ?")) {
                ps.setInt(1, partition);
                ps.setLong(2, first);
                ps.setLong(3, last);
                removed = ps.executeUpdate();
                db.commit();
            } catch (SQLException e) {
                rollbackQuietly();
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
                try (PreparedStatement ps = db.prepareStatement("select value from journal_meta where key = 'target'");
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
                rollbackQuietly();
                throw new JournalException("journal " + settings.path() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Every unacknowledged entry, oldest first (tests and tools). */
    public List<BatchEntry> all() {
        synchronized (lock) {
            try (Statement s = db.createStatement();
                 ResultSet rs = s.executeQuery("select " + COLUMNS + " from entries order by seq")) {
                List<BatchEntry> out = new ArrayList<>();
                while (rs.next()) out.add(entry(rs));
                db.commit();
                return out;
            } catch (SQLException e) {
                throw new JournalException("journal " + settings.path() + ": read failed: " + e.getMessage(), e);
            }
        }
    }

    private void run() {
        long lingerNanos = settings.commitLinger().toNanos();
        List<Pending> group = new ArrayList<>(settings.commitBatch());
        try {
            while (!(closing && queue.isEmpty())) {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                group.add(first);
                // A sleep, not a timed poll: those arriving meanwhile do not wake the writer one by one.
                if (lingerNanos > 0 && queue.size() < settings.commitBatch() - 1) LockSupport.parkNanos(lingerNanos);
                queue.drainTo(group, settings.commitBatch() - 1);
                commit(group);
                group.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending p : queue) p.done().completeExceptionally(new JournalFullException("journal closed"));
    }

    private void commit(List<Pending> group) {
        int rows = 0;
        for (Pending p : group) if (p.reading() != null) rows++; // the others are flush markers
        int added = 0;
        int[] addedByPartition = new int[settings.partitions()];
        synchronized (lock) {
            try {
                long seqBefore = highestSeq();
                Reading[] chunk = new Reading[ROWS_PER_INSERT];
                int[] partitions = new int[ROWS_PER_INSERT];
                int n = 0;
                for (Pending p : group) {
                    Reading r = p.reading();
                    if (r == null) continue;
                    int partition = Partitions.of(r.meterId(), settings.partitions());
                    addedByPartition[partition]++;
                    partitions[n] = partition;
                    chunk[n++] = r;
                    if (n == ROWS_PER_INSERT) {
                        added += insert(chunk, partitions, n);
                        n = 0;
                    }
                }
                if (n > 0) added += insert(chunk, partitions, n);
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
                db.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                closeStatements(); // prepared afresh next time, as before statements were kept
                // Not acknowledged, so the caller still holds the reading (or the meter its register).
                log.error("journal {}: commit of {} readings failed: {}", settings.path(), group.size(), e.getMessage());
                JournalException failure = new JournalException("journal commit failed: " + e.getMessage(), e);
                group.forEach(p -> p.done().completeExceptionally(failure));
                return;
            }
            for (int p = 0; p < addedByPartition.length; p++) pendingByPartition[p] += addedByPartition[p];
            stats.duplicates.addAndGet(rows - added);
            stats.pending += added;
            stats.appended.addAndGet(added);
            stats.commits.incrementAndGet();
            measure();
        }
        group.forEach(p -> p.done().complete(null));
        if (added > 0) commitListeners.forEach(Runnable::run);
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

    /** Commits everything queued, then closes the file. Unacknowledged entries stay for the next start. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            try {
                closeStatements();
                db.close();
            } catch (SQLException e) {
                log.warn("journal {}: close: {}", settings.path(), e.getMessage());
            }
        }
    }
}
