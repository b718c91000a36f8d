package org.meterhub.gateway.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.driver.MeterEndpoint;

/**
 * Which monthly settlement reads are owed, for every meter with a settlement day, and which were done.
 * Shared by all pollers of a gateway, so a DTU that reconnects does not forget a month already read (nor
 * one still owed: the new poller asks again). Only in memory: after a restart the month is read again,
 * which is harmless because readings are idempotent by (meter, time, source).
 *
 * <p>What a meter answers to D120 is the register at the latest settlement day <em>it</em> has passed. So a
 * read is owed only once the gateway's clock is {@code delay} past the settlement instant (meter clocks run a
 * little off) and the meter's own clock, when its last reading carried one, is past it too; otherwise the
 * meter would still answer with the month before.
 */
public final class SettlementReads {
    /** Default wait after the settlement instant before asking: covers meter clocks a few minutes slow. */
    public static final Duration DEFAULT_DELAY = Duration.ofMinutes(10);

    private final Clock clock;
    private final ZoneId zone;
    private final Duration delay;
    private final Map<String, YearMonth> done = new ConcurrentHashMap<>();
    /** Settlement readings delivered. */
    public final AtomicLong readings = new AtomicLong();
    /** Settlement requests that failed (each retry counts). */
    public final AtomicLong failedAttempts = new AtomicLong();
    /** Settlement reads given up after their retries; asked for again after the meter's next good poll. */
    public final AtomicLong failedReads = new AtomicLong();

    public SettlementReads(Clock clock, ZoneId zone) {
        this(clock, zone, DEFAULT_DELAY);
    }

    public SettlementReads(Clock clock, ZoneId zone, Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("settlement delay must not be negative");
        this.clock = clock;
        this.zone = zone;
        this.delay = delay;
    }

    public ZoneId zone() {
        return zone;
    }

    /**
     * The month whose settlement register {@code meter} should be read for now, or null: the latest month whose
     * settlement instant is {@code delay} behind the gateway clock and behind {@code meterClock} (the meter's clock
     * at its last reading; null when unknown), unless that month is done.
     */
    public YearMonth owed(MeterEndpoint meter, Instant meterClock) {
        if (!meter.hasSettlementDay()) return null;
        // a gateway without a time it trusts (clock at 2000-01-01, no meters agreeing yet) would settle the wrong month
        if (clock instanceof ClockTrust.TimelineClock t && !t.hasTime()) return null;
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(zone));
        Instant at = meter.settlementInstant(month, zone);
        if (at.plus(delay).isAfter(now)) {
            month = month.minusMonths(1);
            at = meter.settlementInstant(month, zone);
        }
        if (meterClock != null && meterClock.isBefore(at)) return null;
        YearMonth last = done.get(meter.meterId());
        return last != null && !last.isBefore(month) ? null : month;
    }

    /** Records that {@code month}'s settlement reading of {@code meterId} was delivered. */
    public void done(String meterId, YearMonth month) {
        done.merge(meterId, month, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** The latest month delivered for the meter, or null. */
    public YearMonth lastDone(String meterId) {
        return done.get(meterId);
    }
}
