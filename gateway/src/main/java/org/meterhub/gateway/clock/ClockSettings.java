package org.meterhub.gateway.clock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How the gateway decides whether its own clock can be trusted, and what it does while it cannot.
 *
 * @param maxClockSkew   a meter clock further than this from the reference is not trusted for a reading's time
 *                       (flagged {@code CLOCK_SKEW}); also the tolerance of the "not behind the newest reading" check
 *                       and of meter clocks that count as agreeing with each other
 * @param maxBackfill    an MQTT {@code ts} up to this far in the past is the meter's measurement time, not skew
 *                       (protocols.md §3); polled meters report their clock now, so for them only {@code maxClockSkew}
 *                       counts
 * @param meterQuorum    meters whose clocks agree (within {@code maxClockSkew} of their median, and more than half of
 *                       the recent ones) before their consensus replaces an untrusted gateway clock
 * @param sampleWindow   meter clock samples older than this (monotonic time) no longer count
 * @param stepThreshold  a jump of the wall clock against the monotonic clock beyond this is a step; the gateway's
 *                       timeline follows the reference exactly within it and slews beyond it
 * @param maxSlewPercent how much faster or slower than real time the timeline may run while it catches up with a
 *                       stepped reference (1..50): a 1 h step at 10 % is absorbed in 10 h, with no negative interval,
 *                       no duplicate and no gap
 * @param notBefore      the gateway clock is not trusted before this; null: the build time of the jar
 * @param syncMarkerDir  systemd-timesyncd's state directory: when it exists, the file {@code synchronized} in it says
 *                       whether the kernel clock is synchronised; null: not consulted
 * @param syncCommand    a command whose exit status 0 means "synchronised" (e.g. {@code chronyc waitsync 1 0.5});
 *                       empty: none. Consulted at most once a minute
 */
public record ClockSettings(Duration maxClockSkew, Duration maxBackfill, int meterQuorum, Duration sampleWindow,
                            Duration stepThreshold, int maxSlewPercent, Instant notBefore, Path syncMarkerDir,
                            List<String> syncCommand) {
    public static final Path TIMESYNCD_DIR = Path.of("/run/systemd/timesync");

    public ClockSettings {
        positive(maxClockSkew, "max-clock-skew");
        positive(maxBackfill, "max-backfill");
        positive(sampleWindow, "sample-window");
        positive(stepThreshold, "step-threshold");
        if (meterQuorum < 1 || meterQuorum > 1000) {
            throw new IllegalArgumentException("meter-quorum: expected an integer from 1 to 1000, got " + meterQuorum);
        }
        if (maxSlewPercent < 1 || maxSlewPercent > 50) {
            throw new IllegalArgumentException("max-slew: expected a percentage from 1 to 50, got " + maxSlewPercent);
        }
        syncCommand = syncCommand == null ? List.of() : List.copyOf(syncCommand);
    }

    /** The defaults: 10 min skew, 7 d backfill, 3 agreeing meters within 1 h, 2 s steps, 10 % slew, build time. */
    public static ClockSettings defaults() {
        return new ClockSettings(Duration.ofMinutes(10), Duration.ofDays(7), 3, Duration.ofHours(1), Duration.ofSeconds(2),
                10, null, TIMESYNCD_DIR, List.of());
    }

    public ClockSettings withMaxClockSkew(Duration skew) {
        return new ClockSettings(skew, maxBackfill, meterQuorum, sampleWindow, stepThreshold, maxSlewPercent, notBefore,
                syncMarkerDir, syncCommand);
    }

    public ClockSettings withNotBefore(Instant at) {
        return new ClockSettings(maxClockSkew, maxBackfill, meterQuorum, sampleWindow, stepThreshold, maxSlewPercent, at,
                syncMarkerDir, syncCommand);
    }

    public ClockSettings withMeterQuorum(int quorum) {
        return new ClockSettings(maxClockSkew, maxBackfill, quorum, sampleWindow, stepThreshold, maxSlewPercent, notBefore,
                syncMarkerDir, syncCommand);
    }

    public ClockSettings withoutSyncProbe() {
        return new ClockSettings(maxClockSkew, maxBackfill, meterQuorum, sampleWindow, stepThreshold, maxSlewPercent,
                notBefore, null, List.of());
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(name + ": expected a positive duration, got " + d);
    }
}
