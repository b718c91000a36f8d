package org.meterhub.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.intake.AlarmAck;
import org.meterhub.engine.intake.GatewayAlarm;

class ForwardedAlarmsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T02:00:00Z");

    @Test
    void anAlarmIsSentAgainUntilAcknowledgedAndTheQueueIsBounded() throws Exception {
        List<GatewayAlarm> sent = new CopyOnWriteArrayList<>();
        AtomicBoolean linkUp = new AtomicBoolean(false);
        try (ForwardedAlarms alarms = new ForwardedAlarms("gw-1", a -> {
            if (!linkUp.get()) return false;
            sent.add(a);
            return true;
        }, Duration.ofMillis(200), 3, Clock.systemUTC())) {
            alarms.raise("TAMPER", "DTU-0001", "refused", T0);
            assertThat(sent).as("the link is down: nothing left").isEmpty();
            linkUp.set(true);
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (sent.size() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(sent).hasSizeGreaterThanOrEqualTo(2).allSatisfy(a -> {
                assertThat(a.subject()).isEqualTo("DTU-0001");
                assertThat(a.at()).isEqualTo(T0);
            });
            assertThat(sent).extracting(GatewayAlarm::id).containsOnly(sent.get(0).id()); // the same alarm, sent again
            alarms.acknowledged(new AlarmAck("gw-1", sent.get(0).id()));
            assertThat(alarms.pending()).isZero();
            assertThat(alarms.acknowledgedCount()).isEqualTo(1);

            linkUp.set(false);
            for (int i = 0; i < 5; i++) alarms.raise("TAMPER", "DTU-000" + i, "x".repeat(5000), T0);
            assertThat(alarms.pending()).isEqualTo(3);
            assertThat(alarms.dropped()).isEqualTo(2);
        }
    }
}
