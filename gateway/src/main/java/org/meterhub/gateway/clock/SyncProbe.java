package org.meterhub.gateway.clock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether the operating system says its clock is synchronised to network time. The kernel's own flag
 * ({@code adjtimex} STA_UNSYNC) is not reachable from plain Java, so this asks what the time daemons leave behind:
 * systemd-timesyncd's {@code /run/systemd/timesync/synchronized}, or a configured command (chrony, ntpd).
 */
@FunctionalInterface
public interface SyncProbe {
    enum Sync { SYNCED, UNSYNCED, UNKNOWN }

    Sync status();

    static SyncProbe fixed(Sync s) {
        return () -> s;
    }

    /**
     * systemd-timesyncd: the directory exists while it runs, and holds {@code synchronized} once the kernel clock has
     * been synchronised in this boot. Without the directory, unknown (another daemon, or none).
     */
    static SyncProbe timesyncd(Path dir) {
        return () -> !Files.isDirectory(dir) ? Sync.UNKNOWN
                : Files.exists(dir.resolve("synchronized")) ? Sync.SYNCED : Sync.UNSYNCED;
    }

    /** A command that exits 0 when the clock is synchronised, non-zero when not; unknown if it cannot run in 5 s. */
    static SyncProbe command(List<String> command) {
        return () -> {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return Sync.UNKNOWN;
                }
                return p.exitValue() == 0 ? Sync.SYNCED : Sync.UNSYNCED;
            } catch (IOException e) {
                return Sync.UNKNOWN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Sync.UNKNOWN;
            }
        };
    }

    /** Asks {@code probe} at most once per {@code every} (by the monotonic clock); the answer in between is kept. */
    static SyncProbe cached(SyncProbe probe, Duration every) {
        long everyNanos = every.toNanos();
        return new SyncProbe() {
            private long askedAt;
            private Sync last;

            @Override
            public synchronized Sync status() {
                long now = System.nanoTime();
                if (last == null || now - askedAt >= everyNanos) {
                    last = probe.status();
                    askedAt = now;
                }
                return last;
            }
        };
    }

    /** The settings' probe: the command if one is set (cached for a minute), else timesyncd's marker, else unknown. */
    static SyncProbe of(ClockSettings s) {
        if (!s.syncCommand().isEmpty()) return cached(command(s.syncCommand()), Duration.ofMinutes(1));
        if (s.syncMarkerDir() != null) return timesyncd(s.syncMarkerDir());
        return fixed(Sync.UNKNOWN);
    }
}
