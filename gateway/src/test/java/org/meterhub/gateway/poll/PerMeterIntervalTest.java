package org.meterhub.gateway.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.driver.DriverOptions;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.MeterSession;
import org.meterhub.gateway.driver.ReadFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each meter is polled at its own interval. Counts polls over a short run and compares rates between
 * meters of the same bus (ratios with generous bounds, not wall-time performance).
 */
class PerMeterIntervalTest {
    private static final DriverOptions NONE = new DriverOptions() {
    };
    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers at once (or fails, for the meters told to), counting requests per meter. */
    private static final class CountingSession implements MeterSession {
        final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        final java.util.Set<String> failing = ConcurrentHashMap.newKeySet();

        @Override
        public CompletableFuture<Reading> read(MeterEndpoint meter) {
            requests.computeIfAbsent(meter.meterId(), k -> new AtomicInteger()).incrementAndGet();
            if (failing.contains(meter.meterId())) {
                return CompletableFuture.failedFuture(new ReadFailure(ReadFailure.Kind.TIMEOUT, "silent"));
            }
            Instant now = Instant.now();
            return CompletableFuture.completedFuture(new Reading(meter.meterId(), now, now, 1000, ReadingSource.CJT188,
                    EnumSet.noneOf(ReadingFlag.class), 0));
        }

        int count(String id) {
            AtomicInteger n = requests.get(id);
            return n == null ? 0 : n.get();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static MeterEndpoint meter(String id, Duration interval) {
        return new MeterEndpoint(id, id, Medium.GAS, NONE, interval, 0);
    }

    @Test
    void eachMeterIsPolledAtItsOwnInterval() throws Exception {
        CountingSession session = new CountingSession();
        // bus default 400 ms; FAST overrides it with 100 ms, SLOW uses the default
        PollSettings poll = new PollSettings(Duration.ofMillis(400), Duration.ofMillis(10), Duration.ofMillis(100),
                Duration.ZERO, 0, Duration.ofMillis(10), 3, 4, Duration.ZERO);
        BusPoller poller = new BusPoller("bus", session, List.of(meter("FAST", Duration.ofMillis(100)),
                meter("SLOW", null)), poll, r -> { }, new PollStats(), loop, 1);
        poller.start();
        awaitCount(session, "SLOW", 6); // enough polls of the slow one to compare, however long they take
        poller.stop();
        int fast = session.count("FAST");
        int slow = session.count("SLOW");
        // ideal: ~24 (100 ms + up to 10 ms jitter) against ~7 (400 ms + jitter): a ratio near 4
        assertThat(slow).isGreaterThanOrEqualTo(3);
        assertThat(fast).isGreaterThanOrEqualTo(8);
        assertThat((double) fast / slow).isBetween(2.5, 6.0);
    }

    @Test
    void aDegradedMeterIsSlowedFromItsOwnInterval() throws Exception {
        CountingSession session = new CountingSession();
        session.failing.add("BROKEN");
        // degraded after 1 failed poll, then polled 4x less often: 100 ms becomes 400 ms
        PollSettings poll = new PollSettings(Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofMillis(100),
                Duration.ZERO, 0, Duration.ofMillis(10), 1, 4, Duration.ZERO);
        BusPoller poller = new BusPoller("bus", session, List.of(meter("BROKEN", Duration.ofMillis(100)),
                meter("GOOD", Duration.ofMillis(100))), poll, r -> { }, new PollStats(), loop, 2);
        poller.start();
        awaitCount(session, "BROKEN", 6);
        poller.stop();
        int good = session.count("GOOD");
        int broken = session.count("BROKEN");
        assertThat(broken).isGreaterThanOrEqualTo(3); // not left at the bus's 10 s interval
        assertThat(good).isGreaterThanOrEqualTo(8);
        assertThat((double) good / broken).isBetween(2.5, 6.0);
    }

    private static void awaitCount(CountingSession session, String meter, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (session.count(meter) < n && System.nanoTime() < deadline) Thread.sleep(10);
    }
}
