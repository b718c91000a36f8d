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
 * Each meter is polled at its own interval. The poller never polls a meter sooner than its interval after the last
 * poll, on any machine: the tests check those lower bounds on every gap, and that the fast meter is not held to the
 * slow one's interval, which is 20 times its own (on a loaded machine the gaps stretch, so rates or ratios of counts
 * would measure the machine, not the scheduling).
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
        /** When each meter was asked, in System.nanoTime(). */
        final Map<String, java.util.List<Long>> times = new ConcurrentHashMap<>();
        final java.util.Set<String> failing = ConcurrentHashMap.newKeySet();

        @Override
        public CompletableFuture<Reading> read(MeterEndpoint meter) {
            times.computeIfAbsent(meter.meterId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(System.nanoTime());
            requests.computeIfAbsent(meter.meterId(), k -> new AtomicInteger()).incrementAndGet();
            if (failing.contains(meter.meterId())) {
                return CompletableFuture.failedFuture(new ReadFailure(ReadFailure.Kind.TIMEOUT, "silent"));
            }
            Instant now = Instant.now();
            return CompletableFuture.completedFuture(new Reading(meter.meterId(), now, now, 1000, ReadingSource.CJT188,
                    EnumSet.noneOf(ReadingFlag.class), 0));
        }

        /** The gaps between consecutive polls of {@code id}. */
        java.util.List<Duration> gaps(String id) {
            java.util.List<Long> t = times.getOrDefault(id, java.util.List.of());
            java.util.List<Duration> out = new java.util.ArrayList<>();
            for (int i = 1; i < t.size(); i++) out.add(Duration.ofNanos(t.get(i) - t.get(i - 1)));
            return out;
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
        // bus default 2 s; FAST overrides it with 100 ms, SLOW uses the default
        PollSettings poll = new PollSettings(Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMillis(100),
                Duration.ZERO, 0, Duration.ofMillis(10), 3, 4, Duration.ZERO);
        BusPoller poller = new BusPoller("bus", session, List.of(meter("FAST", Duration.ofMillis(100)),
                meter("SLOW", null)), poll, r -> { }, new PollStats(), loop, 1);
        poller.start();
        awaitCount(session, "SLOW", 3); // two gaps of the slow one, however long they take
        poller.stop();
        assertThat(session.count("SLOW")).isGreaterThanOrEqualTo(3);
        assertThat(session.gaps("SLOW")).as("SLOW at the bus's 2 s, never at FAST's rate")
                .allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(session.gaps("FAST")).as("FAST never sooner than its own 100 ms").isNotEmpty()
                .allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(Duration.ofMillis(100)));
        assertThat(session.gaps("FAST")).as("FAST at its own interval, not held to the bus's 2 s")
                .anySatisfy(g -> assertThat(g).isLessThan(Duration.ofSeconds(2)));
        assertThat(session.count("FAST")).isGreaterThan(session.count("SLOW"));
    }

    @Test
    void aDegradedMeterIsSlowedFromItsOwnInterval() throws Exception {
        CountingSession session = new CountingSession();
        session.failing.add("BROKEN");
        // degraded after 1 failed poll, then polled 20x less often: 100 ms becomes 2 s (from the bus's 10 s it would be
        // 200 s, and the three polls awaited would not come)
        PollSettings poll = new PollSettings(Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofMillis(100),
                Duration.ZERO, 0, Duration.ofMillis(10), 1, 20, Duration.ZERO);
        BusPoller poller = new BusPoller("bus", session, List.of(meter("BROKEN", Duration.ofMillis(100)),
                meter("GOOD", Duration.ofMillis(100))), poll, r -> { }, new PollStats(), loop, 2);
        poller.start();
        awaitCount(session, "BROKEN", 3);
        poller.stop();
        assertThat(session.count("BROKEN")).isGreaterThanOrEqualTo(3); // not left at the bus's 10 s interval
        assertThat(session.gaps("BROKEN")).as("BROKEN slowed 20x from its own 100 ms")
                .allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(session.gaps("GOOD")).as("GOOD at its own 100 ms, not slowed").isNotEmpty()
                .allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(Duration.ofMillis(100)))
                .anySatisfy(g -> assertThat(g).isLessThan(Duration.ofSeconds(2)));
    }

    private static void awaitCount(CountingSession session, String meter, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (session.count(meter) < n && System.nanoTime() < deadline) Thread.sleep(10);
    }
}
