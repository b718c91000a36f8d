package org.meterhub.gateway.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.prepaid.BalanceReport;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.gateway.clock.SyncProbe.Sync;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.UplinkProcessor;
import org.meterhub.gateway.mqtt.UplinkSettings;
import org.meterhub.simulators.mqtt.IcCardMeter;
import org.meterhub.simulators.mqtt.MqttFault;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * IC-card meters (the MQTT simulator's) with correct clocks report to a gateway whose clock shows 2000-01-01: the
 * uplink processor and the clock guard in front of the journal, with an injected wall and monotonic clock.
 */
class MqttUplinkClockTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant TRUE = ClockTrustTest.TRUE;

    @TempDir
    Path dir;

    private final Queue<Reading> journal = new ConcurrentLinkedQueue<>();
    private final Queue<BalanceReport> balances = new ConcurrentLinkedQueue<>();

    @Test
    void uplinksAreStampedByTheirAgreeingTsNotByAGatewayAt2000AndStayInOrderAcrossSteps() throws Exception {
        FakeTime t = new FakeTime(ClockTrustTest.FLAT_RTC);
        long m0 = t.monoNow();
        ClockTrust trust = new ClockTrust(ClockSettings.defaults().withoutSyncProbe(), t.clock, t.mono(),
                SyncProbe.fixed(Sync.UNKNOWN), ClockTrustTest.BUILT);
        List<IcCardMeter> meters = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            meters.add(new IcCardMeter("3000000000000" + i, 100_000, 50_000, new UsageProfile(800, false),
                    i == 4 ? Set.of(MqttFault.CLOCK_SKEW) : Set.of(), ZONE, TRUE, 1_000, new BigDecimal("3.6")));
        }
        try (ClockGuard guard = ClockGuard.open(trust, dir.resolve("mqtt-journal.db-clock"), r -> {
            journal.add(r);
            return CompletableFuture.completedFuture(null);
        })) {
            UplinkProcessor uplinks = new UplinkProcessor(UplinkSettings.defaults(), balances::add, e -> { },
                    trust.clock(), new MqttCounters(), guard::append);

            // the first meter alone is no consensus: its uplink is held (and may be acknowledged: it is durable)
            report(uplinks, meters.get(0), t, m0).get(5, TimeUnit.MINUTES);
            assertThat(journal).isEmpty();
            assertThat(guard.held()).isEqualTo(1);
            for (IcCardMeter m : meters.subList(1, 4)) {
                t.advance(Duration.ofSeconds(3));
                report(uplinks, m, t, m0).get(5, TimeUnit.MINUTES);
            }
            await(() -> journal.size() == 4 && guard.held() == 0);
            assertThat(guard.statusText()).isEqualTo("clock: UNTRUSTED (behind meters by 26y)");
            Map<String, Reading> first = journal.stream().collect(Collectors.toMap(Reading::meterId, r -> r));
            assertThat(first.get("30000000000001").time()).isEqualTo(TRUE);
            assertThat(first.get("30000000000003").time()).isEqualTo(TRUE.plusSeconds(6));
            // two hours ahead of meters that agree: flagged, stamped on their time, its ts kept
            Reading skewed = first.get("30000000000004");
            assertThat(skewed.flags()).contains(ReadingFlag.CLOCK_SKEW);
            assertThat(skewed.time()).isEqualTo(TRUE.plusSeconds(9));
            assertThat(skewed.meterTime()).isEqualTo(TRUE.plusSeconds(9).plus(Duration.ofHours(2)));
            assertThat(balances).allSatisfy(b -> assertThat(b.time()).isAfter(ClockTrustTest.BUILT));

            // network time, then an hour back: every meter's readings still run forward
            t.advance(Duration.ofMinutes(15));
            t.step(Duration.between(t.wall(), TRUE.plusNanos(t.monoNow() - m0)));
            reportAll(uplinks, meters, t, m0);
            assertThat(trust.trusted()).isTrue();
            t.advance(Duration.ofMinutes(15));
            t.step(Duration.ofHours(-1));
            reportAll(uplinks, meters, t, m0);
            t.advance(Duration.ofMinutes(15));
            reportAll(uplinks, meters, t, m0);
            assertThat(journal).hasSize(16);
            assertThat(journal).allSatisfy(r -> assertThat(r.time()).isAfter(ClockTrustTest.BUILT));
            for (IcCardMeter m : meters) {
                List<Instant> times = journal.stream().filter(r -> r.meterId().equals(m.id())).map(Reading::time).toList();
                assertThat(times).as("meter %s", m.id()).hasSize(4).isSorted().doesNotHaveDuplicates();
            }
        }
    }

    /** The meter reports at the true time (its clock is right): the monotonic time since the start, from TRUE. */
    private static CompletableFuture<Void> report(UplinkProcessor uplinks, IcCardMeter m, FakeTime t, long m0) {
        Instant now = TRUE.plusNanos(t.monoNow() - m0);
        List<byte[]> msgs = m.report(now);
        CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
        for (byte[] msg : msgs) last = uplinks.onMessage("meters/" + m.id() + "/up", msg);
        return last;
    }

    private static void reportAll(UplinkProcessor uplinks, List<IcCardMeter> meters, FakeTime t, long m0) throws Exception {
        for (IcCardMeter m : meters) report(uplinks, m, t, m0).get(5, TimeUnit.MINUTES);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 5 min");
            Thread.sleep(10);
        }
    }
}
