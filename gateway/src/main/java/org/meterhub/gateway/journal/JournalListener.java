package org.meterhub.gateway.journal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Told when the journal's fill level, its ability to write or its disk's free space change (alarm
 * and event sinks). Called on the journal's writer thread; must not block.
 */
@FunctionalInterface
public interface JournalListener {
    void levelChanged(JournalLevel level, long usedBytes, long maxBytes);

    /**
     * Commits fail (disk full, I/O error, read-only file system): the journal rolls back, keeps the
     * readings of the failed commit and retries; pollers pause and MQTT acknowledgements wait. Once per outage.
     */
    default void writeFailed(Path path, long freeBytes, String reason) {
    }

    /** The first commit after {@link #writeFailed} succeeded; what waited is journalled. */
    default void writeRecovered(Path path, Duration outage) {
    }

    /** Free space on the journal's file system fell below {@code journal.min-free-disk}. */
    default void diskLow(Path path, long freeBytes, long minFreeBytes) {
    }

    /** Free space is above {@code journal.min-free-disk} again (with 5 % hysteresis). */
    default void diskOk(Path path, long freeBytes) {
    }

    JournalListener NONE = (level, used, max) -> { };
}
