package org.meterhub.gateway.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.meterhub.engine.attempt.ReadAttempt;
import org.meterhub.engine.attempt.ReadAttemptLog;
import org.meterhub.engine.attempt.ReadAttemptRecorder;
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
 * A poll that fails after the poller's retries is one recorded read attempt (what "three times not read"
 * counts): the poller tells its sink, and a {@link ReadAttemptRecorder} records it off the event loop,
 * while readings of the healthy meter pass through unchanged.
 */
class FailedPollsAreAttemptsTest {
    private static final DriverOptions NONE = new DriverOptions() {
    };
    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void eachFailedPollIsOneAttemptNotEachRetry() throws Exception {
        Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        MeterSession session = new MeterSession() {
            @Override
            public CompletableFuture<Reading> read(MeterEndpoint meter) {
                requests.computeIfAbsent(meter.meterId(), k -> new AtomicInteger()).incrementAndGet();
                if (meter.meterId().equals("BROKEN")) {
                    return CompletableFuture.failedFuture(new ReadFailure(ReadFailure.Kind.TIMEOUT, "no answer"));
                }
                Instant now = Instant.now();
                return CompletableFuture.completedFuture(new Reading(meter.meterId(), now, now, 1000, ReadingSource.CJT188,
                        EnumSet.noneOf(ReadingFlag.class), 0));
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        List<ReadAttempt> recorded = new CopyOnWriteArrayList<>();
        ReadAttemptLog log = new ReadAttemptLog() {
            @Override
            public boolean record(ReadAttempt a) {
                return recorded.add(a);
            }

            @Override
            public List<ReadAttempt> attempts(String meterId, Instant from, Instant to) {
                return recorded.stream().filter(a -> a.meterId().equals(meterId)).toList();
            }
        };
        List<Reading> readings = new CopyOnWriteArrayList<>();
        Instant t = Instant.parse("2026-11-03T02:00:00Z");
        // two retries: a failed poll is three requests
        PollSettings poll = new PollSettings(Duration.ofMillis(50), Duration.ofMillis(5), Duration.ofMillis(100),
                Duration.ZERO, 2, Duration.ofMillis(5), 100, 1, Duration.ZERO);
        try (ReadAttemptRecorder recorder = new ReadAttemptRecorder(readings::add, log, Clock.fixed(t, ZoneOffset.UTC), 100)) {
            BusPoller poller = new BusPoller("DTU-7", session, List.of(new MeterEndpoint("BROKEN", "BROKEN", Medium.GAS, NONE,
                    null, 0), new MeterEndpoint("GOOD", "GOOD", Medium.GAS, NONE, null, 0)), poll, recorder, new PollStats(),
                    loop, 3);
            poller.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (recorded.size() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
            poller.stop();
        }
        assertThat(recorded.size()).isGreaterThanOrEqualTo(3);
        assertThat(requests.get("BROKEN").get()).isGreaterThanOrEqualTo(3 * recorded.size());
        assertThat(recorded).allSatisfy(a -> {
            assertThat(a.meterId()).isEqualTo("BROKEN");
            assertThat(a.channel()).isEqualTo(ReadAttempt.Channel.REMOTE_POLL);
            assertThat(a.result()).isEqualTo(ReadAttempt.Result.FAILED);
            assertThat(a.recordedBy()).isEqualTo("gateway:DTU-7");
            assertThat(a.attemptedAt()).isEqualTo(t);
            assertThat(a.note()).contains("no answer");
        });
        assertThat(readings).isNotEmpty().allMatch(r -> r.meterId().equals("GOOD"));
    }
}
