package org.meterhub.gateway.journal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.meterhub.engine.intake.Partitions;

/**
 * The gateway's durable journal.
 *
 * @param path          the SQLite file (its -wal and -shm files sit next to it)
 * @param maxBytes      disk the journal's entries may use; when reached the gateway stops accepting readings
 * @param alarmPercent  the share of {@code maxBytes} at which the "nearly full" alarm fires
 * @param partitions    how meters are spread over the engine partitions; must match the engines
 * @param queueCapacity readings waiting for the next commit; a full queue is a refused reading
 * @param commitBatch   most readings per commit (group commit: one fsync for all of them)
 * @param durability    {@link Durability#FULL} (default) or the weaker {@link Durability#NORMAL}
 * @param commitLinger  how long the writer waits after the first reading of a group for more to join it
 *                      (zero: commit at once). Each commit rewrites the index pages it touches and fsyncs
 *                      them, whether it holds 15 readings or 250, so under load a few milliseconds of
 *                      waiting cut the journal's writes per reading by an order of magnitude; a device
 *                      waits that much longer for its acknowledgement.
 * @param minFreeBytes  free space on the journal's file system below which the "disk low" alarm is raised,
 *                      before SQLite meets a full disk (0: not watched)
 */
public record JournalSettings(Path path, long maxBytes, int alarmPercent, int partitions, int queueCapacity,
                              int commitBatch, Durability durability, Duration commitLinger, long minFreeBytes) {

    /** When a commit reaches the disk (SQLite's {@code synchronous} in WAL mode). */
    public enum Durability {
        /** The WAL is fsynced at every commit: a power cut loses nothing the journal acknowledged. */
        FULL,
        /** The WAL is fsynced only at checkpoints: a process crash loses nothing, a power cut may lose the last commits. */
        NORMAL
    }

    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    public static final Duration DEFAULT_COMMIT_LINGER = Duration.ofMillis(5);
    public static final long DEFAULT_MIN_FREE_BYTES = 32L << 20;
    private static final Duration MAX_COMMIT_LINGER = Duration.ofSeconds(1);

    public JournalSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(commitLinger, "commitLinger");
        if (commitLinger.isNegative() || commitLinger.compareTo(MAX_COMMIT_LINGER) > 0) {
            throw new IllegalArgumentException("commit-linger: expected 0 to 1s, got " + commitLinger.toMillis() + " ms");
        }
        if (maxBytes < (1L << 20)) throw new IllegalArgumentException("max-size: expected at least 1 MiB, got " + maxBytes + " bytes");
        if (alarmPercent < 1 || alarmPercent > 99) {
            throw new IllegalArgumentException("alarm-at: expected a percentage from 1 to 99, got " + alarmPercent);
        }
        Partitions.check(partitions);
        if (queueCapacity < 1) throw new IllegalArgumentException("queue capacity must be positive");
        if (commitBatch < 1) throw new IllegalArgumentException("commit batch must be positive");
        if (minFreeBytes < 0) throw new IllegalArgumentException("min-free-disk: expected 0 or more bytes, got " + minFreeBytes);
    }

    /** With the default {@code min-free-disk}. */
    public JournalSettings(Path path, long maxBytes, int alarmPercent, int partitions, int queueCapacity,
                           int commitBatch, Durability durability, Duration commitLinger) {
        this(path, maxBytes, alarmPercent, partitions, queueCapacity, commitBatch, durability, commitLinger,
                DEFAULT_MIN_FREE_BYTES);
    }

    public static JournalSettings defaults(Path path) {
        return new JournalSettings(path, DEFAULT_MAX_BYTES, 80, 16, 8192, 2000, Durability.FULL, DEFAULT_COMMIT_LINGER);
    }

    public JournalSettings withMaxBytes(long bytes, int alarmAt) {
        return new JournalSettings(path, bytes, alarmAt, partitions, queueCapacity, commitBatch, durability, commitLinger, minFreeBytes);
    }

    public JournalSettings withPartitions(int n) {
        return new JournalSettings(path, maxBytes, alarmPercent, n, queueCapacity, commitBatch, durability, commitLinger, minFreeBytes);
    }

    public JournalSettings withDurability(Durability d) {
        return new JournalSettings(path, maxBytes, alarmPercent, partitions, queueCapacity, commitBatch, d, commitLinger, minFreeBytes);
    }

    public JournalSettings withCommitLinger(Duration linger) {
        return new JournalSettings(path, maxBytes, alarmPercent, partitions, queueCapacity, commitBatch, durability, linger, minFreeBytes);
    }

    public JournalSettings withMinFreeBytes(long bytes) {
        return new JournalSettings(path, maxBytes, alarmPercent, partitions, queueCapacity, commitBatch, durability, commitLinger, bytes);
    }

    public long alarmBytes() {
        return maxBytes / 100 * alarmPercent;
    }
}
