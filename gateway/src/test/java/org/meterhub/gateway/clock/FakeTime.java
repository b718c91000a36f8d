package org.meterhub.gateway.clock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A gateway's two clocks for tests: the wall clock (which can be wrong and can step) and the monotonic clock (which
 * only runs). {@link #advance} moves both, as real time passing; {@link #step} moves the wall clock alone, as a
 * correction by NTP or an operator.
 */
final class FakeTime {
    private volatile long mono = 1_000_000_000L;
    private volatile Instant wall;

    final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return wall;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    };

    FakeTime(Instant wall) {
        this.wall = wall;
    }

    LongSupplier mono() {
        return () -> mono;
    }

    long monoNow() {
        return mono;
    }

    Instant wall() {
        return wall;
    }

    void advance(Duration d) {
        mono += d.toNanos();
        wall = wall.plus(d);
    }

    void step(Duration d) {
        wall = wall.plus(d);
    }
}
