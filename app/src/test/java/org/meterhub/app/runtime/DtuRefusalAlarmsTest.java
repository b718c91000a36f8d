package org.meterhub.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;
import org.meterhub.gateway.dtu.DtuServer;
import org.junit.jupiter.api.Test;

class DtuRefusalAlarmsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T02:00:00Z");

    @Test
    void aRefusedTakeoverRaisesATamperAlarmOnTheDtuAtMostOncePerQuietPeriod() {
        AlarmService alarms = new AlarmService(new InMemoryAlarmRepository(), AlarmDeadlines.defaults(), AlarmSink.none(),
                Clock.fixed(T0, ZoneOffset.UTC));
        DtuRefusalAlarms refusals = new DtuRefusalAlarms(alarms, Duration.ofMinutes(1));
        InetSocketAddress intruder = new InetSocketAddress("198.51.100.7", 40123);

        for (int i = 0; i < 50; i++) {
            refusals.accept(new DtuServer.Refusal("DTU-0001", intruder, "no proof offered", T0.plusMillis(i * 100L)));
        }
        assertThat(alarms.open()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(AlarmKind.TAMPER);
            assertThat(a.subject()).isEqualTo("DTU-0001");
            assertThat(a.detail()).contains("198.51.100.7").contains("no proof offered");
        });

        refusals.accept(new DtuServer.Refusal("DTU-0002", intruder, "wrong proof", T0));
        assertThat(alarms.open()).hasSize(2);
    }
}
