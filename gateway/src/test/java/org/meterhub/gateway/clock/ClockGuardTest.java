package org.meterhub.gateway.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.clock.SyncProbe.Sync;

class ClockGuardTest {
    static final Instant TRUE = ClockTrustTest.TRUE;
    static final Instant BUILT = ClockTrustTest.BUILT;

    @TempDir
    Path dir;

    private final Queue<Reading> downstream = new ConcurrentLinkedQueue<>();

    private ClockGuard guard(FakeTime t, Sync sync) {
        ClockTrust trust = new ClockTrust(ClockSettings.defaults().withoutSyncProbe(), t.clock, t.mono(),
                SyncProbe.fixed(sync), BUILT);
        return ClockGuard.open(trust, dir.resolve("journal.db-clock"), r -> {
            downstream.add(r);
            return CompletableFuture.completedFuture(null);
        });
    }

    /** What a driver makes of a reply: stamped with the (wrong) gateway clock, CLOCK_SKEW when the meter disagreed. */
    private static Reading polled(FakeTime t, String meter, long litres, Instant meterClock) {
        EnumSet<ReadingFlag> flags = meterClock == null ? EnumSet.of(ReadingFlag.CLOCK_INVALID)
                : EnumSet.of(ReadingFlag.CLOCK_SKEW);
        return new Reading(meter, t.wall(), t.wall(), litres, ReadingSource.CJT188, flags, 0, meterClock);
    }

    @Test
    void withoutAnyMeterClockReadingsAreHeldUntilTheClockIsTrustedThenTimedByTheMonotonicClock() throws Exception {
        FakeTime t = new FakeTime(ClockTrustTest.FLAT_RTC);
        try (ClockGuard g = guard(t, Sync.UNKNOWN)) {
            CompletableFuture<Void> first = g.append(polled(t, "A", 1000, null));
            t.advance(Duration.ofMinutes(15));
            CompletableFuture<Void> second = g.append(polled(t, "A", 1010, null));
            first.get(5, TimeUnit.MINUTES); // durable in the held file: an MQTT uplink could be acknowledged now
            second.get(5, TimeUnit.MINUTES);
            assertThat(g.held()).isEqualTo(2);
            assertThat(downstream).isEmpty();
            assertThat(g.statusText()).isEqualTo("clock: UNTRUSTED (before the build date 2026-10-01, no time yet) held 2");

            t.advance(Duration.ofMinutes(5));
            t.step(Duration.between(t.wall(), TRUE)); // network time: the truth is TRUE
            await(() -> downstream.size() == 2);
            List<Reading> out = List.copyOf(downstream);
            assertThat(out).extracting(Reading::time)
                    .containsExactly(TRUE.minus(Duration.ofMinutes(20)), TRUE.minus(Duration.ofMinutes(5)));
            assertThat(out).extracting(Reading::receivedAt).allSatisfy(r -> assertThat(r).isAfter(BUILT));
            assertThat(out).extracting(Reading::volumeL).containsExactly(1000L, 1010L);
            assertThat(out.get(0).flags()).containsExactly(ReadingFlag.CLOCK_INVALID);
            await(() -> g.held() == 0);
            assertThat(g.statusText()).isEqualTo("clock: plausible, sync unknown");

            g.append(polled(t, "A", 1020, null)).get(5, TimeUnit.MINUTES);
            assertThat(downstream).hasSize(3);
            assertThat(List.copyOf(downstream).get(2).time()).isEqualTo(TRUE); // on the wall clock, passed unchanged
        }
    }

    @Test
    void metersThatAgreeReleaseWhatWasHeldAndTimeTheRestWhileTheGatewayShows2000() throws Exception {
        FakeTime t = new FakeTime(ClockTrustTest.FLAT_RTC);
        long m0 = t.monoNow();
        try (ClockGuard g = guard(t, Sync.UNKNOWN)) {
            g.append(polled(t, "X", 500, null)).get(5, TimeUnit.MINUTES); // no clock: held
            t.advance(Duration.ofSeconds(10));
            for (String meter : List.of("A", "B", "C")) {
                Instant meterClock = TRUE.plusNanos(t.monoNow() - m0);
                g.append(polled(t, meter, 100, meterClock)).get(5, TimeUnit.MINUTES);
                t.advance(Duration.ofSeconds(2));
            }
            await(() -> downstream.size() == 4);
            List<Reading> out = List.copyOf(downstream);
            // in the order they were received; X at the meters' time when it was read, nothing at 2000
            assertThat(out).extracting(Reading::meterId).containsExactly("X", "A", "B", "C");
            assertThat(out.get(0).time()).isEqualTo(TRUE);
            assertThat(out.get(1).time()).isEqualTo(TRUE.plusSeconds(10));
            assertThat(out).extracting(Reading::time).allSatisfy(time -> assertThat(time).isAfter(BUILT));
            assertThat(out).allSatisfy(r -> assertThat(r.flags()).doesNotContain(ReadingFlag.CLOCK_SKEW));
            await(() -> g.held() == 0);
            assertThat(g.statusText()).isEqualTo("clock: UNTRUSTED (behind meters by 26y)");
        }
    }

    @Test
    void heldReadingsSurviveARestartInTheSameBoot() throws Exception {
        FakeTime t = new FakeTime(ClockTrustTest.FLAT_RTC);
        try (ClockGuard g = guard(t, Sync.UNKNOWN)) {
            g.append(polled(t, "A", 7000, null)).get(5, TimeUnit.MINUTES);
        }
        t.advance(Duration.ofMinutes(1));
        try (ClockGuard g = guard(t, Sync.UNKNOWN)) {
            assertThat(g.held()).isEqualTo(1);
            assertThat(downstream).isEmpty();
            t.step(Duration.between(t.wall(), TRUE));
            await(() -> downstream.size() == 1);
            assertThat(downstream.peek().time()).isEqualTo(TRUE.minus(Duration.ofMinutes(1)));
            assertThat(downstream.peek().volumeL()).isEqualTo(7000);
        }
    }

    @Test
    void theNewestStampedTimeIsRememberedAcrossRestarts() throws Exception {
        FakeTime t = new FakeTime(TRUE);
        try (ClockGuard g = guard(t, Sync.UNKNOWN)) {
            g.append(polled(t, "A", 1, null)).get(5, TimeUnit.MINUTES);
        }
        FakeTime rebooted = new FakeTime(TRUE.minus(Duration.ofDays(30))); // after the build date, a month behind
        try (ClockGuard g = guard(rebooted, Sync.UNKNOWN)) {
            assertThat(g.trust().trusted()).isFalse();
            assertThat(g.statusText()).startsWith("clock: UNTRUSTED (behind the newest reading by 30d");
        }
    }

    @Test
    void aCheckThatKeepsFailingIsLoggedOncePerEpisodeAndCounted() throws Exception {
        FakeTime t = new FakeTime(TRUE);
        java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(false);
        SyncProbe failing = () -> {
            if (full.get()) throw new IllegalStateException("[SQLITE_FULL] database or disk is full");
            return Sync.SYNCED;
        };
        ClockTrust trust = new ClockTrust(ClockSettings.defaults().withoutSyncProbe(), t.clock, t.mono(), failing, BUILT);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ClockGuard.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (ClockGuard g = ClockGuard.open(trust, dir.resolve("journal.db-clock"), r -> CompletableFuture.completedFuture(null))) {
            full.set(true);
            await(() -> g.checkFailures() >= 3); // one check a second: three episodes' worth of log lines before the fix
            full.set(false);
            await(() -> messages(logs).stream().anyMatch(m -> m.startsWith("clock: check works again")));
            long first = g.checkFailures();
            full.set(true);
            await(() -> g.checkFailures() > first);
            List<String> failed = messages(logs).stream().filter(m -> m.startsWith("clock: check failed")).toList();
            assertThat(failed).hasSize(2).allSatisfy(m -> assertThat(m).contains("SQLITE_FULL"));
            assertThat(messages(logs).stream().filter(m -> m.startsWith("clock: check works again")).toList())
                    .singleElement().asString().contains("after " + first + " failed attempts");
        } finally {
            logger.detachAppender(logs);
        }
    }

    private static List<String> messages(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs) {
        synchronized (logs.list) {
            return logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 5 min");
            Thread.sleep(10);
        }
    }
}
