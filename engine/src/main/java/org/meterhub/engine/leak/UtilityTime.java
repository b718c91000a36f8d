package org.meterhub.engine.leak;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Objects;

/**
 * Local hours and days of the utility's zone for hour-based detectors, daylight saving included:
 * the spring-forward day has 23 hours, the fall-back day 25 (the repeated local hour appears twice).
 * Caches the offset between two transitions, so the common case is two comparisons and an add.
 * Not thread-safe (one per detector, which is single-threaded).
 */
public final class UtilityTime {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;

    private final ZoneId zone;
    private final ZoneRules rules;
    private long validFrom = Long.MAX_VALUE;
    private long validTo = Long.MIN_VALUE;
    private long offsetMs;

    public UtilityTime(ZoneId zone) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.rules = zone.getRules();
    }

    public ZoneId zone() {
        return zone;
    }

    /** Milliseconds to add to an instant to get local wall-clock milliseconds. */
    public long offsetMs(long epochMs) {
        if (epochMs < validFrom || epochMs >= validTo) {
            Instant t = Instant.ofEpochMilli(epochMs);
            offsetMs = rules.getOffset(t).getTotalSeconds() * 1000L;
            ZoneOffsetTransition prev = rules.previousTransition(t.plusMillis(1));
            ZoneOffsetTransition next = rules.nextTransition(t);
            validFrom = prev == null ? Long.MIN_VALUE : prev.getInstant().toEpochMilli();
            validTo = next == null ? Long.MAX_VALUE : next.getInstant().toEpochMilli();
        }
        return offsetMs;
    }

    /** The local date (as epoch day) the instant falls on. */
    public int localDay(long epochMs) {
        return (int) Math.floorDiv(epochMs + offsetMs(epochMs), DAY);
    }

    /** The local hour of day, 0..23, of the instant. */
    public int localHour(long epochMs) {
        return (int) (Math.floorMod(epochMs + offsetMs(epochMs), DAY) / HOUR);
    }

    /** Hours the local day has: 24, or 23 / 25 on daylight-saving transition days. */
    public int hoursInDay(int epochDay) {
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        long start = d.atStartOfDay(zone).toInstant().toEpochMilli();
        long end = d.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        return (int) ((end - start) / HOUR);
    }
}
