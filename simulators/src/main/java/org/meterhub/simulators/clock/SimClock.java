package org.meterhub.simulators.clock;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that runs {@code speed} times faster than real time from a chosen start, and can be
 * frozen so that the final reads of a run all see the same, final registers.
 */
public final class SimClock extends Clock {
    private final Instant simStart;
    private final long realStartNanos;
    private final long speed;
    private volatile Instant frozenAt;

    public SimClock(Instant simStart, long speed) {
        if (speed < 1) throw new IllegalArgumentException("speed must be at least 1, was " + speed);
        this.simStart = simStart;
        this.realStartNanos = System.nanoTime();
        this.speed = speed;
    }

    @Override
    public Instant instant() {
        Instant f = frozenAt;
        if (f != null) return f;
        long elapsed = System.nanoTime() - realStartNanos;
        return simStart.plusNanos(Math.multiplyExact(elapsed, speed));
    }

    /** Stops time: from now on {@link #instant()} returns the same value. */
    public synchronized Instant freeze() {
        if (frozenAt == null) frozenAt = instant();
        return frozenAt;
    }

    public long speed() {
        return speed;
    }

    public Instant start() {
        return simStart;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("SimClock is always UTC; convert with atZone");
    }
}
