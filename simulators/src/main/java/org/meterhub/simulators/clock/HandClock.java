package org.meterhub.simulators.clock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that only moves when a test moves it, shared by simulated meters and the gateway under
 * test so both see the same instant (e.g. to cross a settlement day or a command deadline on cue).
 */
public final class HandClock extends Clock {
    private volatile Instant now;

    public HandClock(Instant start) {
        now = start;
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    /** Moves to {@code next}; time never runs backwards. */
    public void set(Instant next) {
        if (next.isBefore(now)) throw new IllegalArgumentException("time only moves forward: " + next + " < " + now);
        now = next;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
