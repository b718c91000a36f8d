package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.prepaid.BalanceSink;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/**
 * End to end through a private Mosquitto, the gateway, its journal and the engine into SQLite: an NB-IoT water
 * meter uploads a day of hourly readings once a day ({@code history}); the day with a 2 L/h leak through the night
 * arrives after the next day was already stored. The engine judges the late day's hours in time order and raises
 * the continuous-flow alarm with that day as its evidence; the same message delivered again raises nothing.
 */
class MqttLateDayLeakTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai"); // the engine's default zone
    private static final Instant T0 = Instant.parse("2026-10-31T16:00:00Z"); // local midnight
    private static final int LEAK_DAY = 15;
    private static final String METER = "40000000000077";

    private static final class SettableClock extends Clock {
        volatile Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Litres in local hour h of day k: use from 07:00 to 22:00, none at night; 2 L more every hour of the leak day. */
    private static long litres(int day, int hour) {
        long use = hour >= 7 && hour <= 22 ? 3 + (hour * 7L + day * 5L) % 17 : 0;
        return use + (day == LEAK_DAY ? 2 : 0);
    }

    /** Day k's upload: the register at 24:00 as the message's own reading, 01:00 .. 23:00 as its history. */
    private static String upload(int k) {
        long register = 100_000;
        for (int d = 0; d < k; d++) for (int h = 0; h < 24; h++) register += litres(d, h);
        StringBuilder history = new StringBuilder();
        for (int h = 0; h < 24; h++) {
            register += litres(k, h);
            if (h < 23) {
                if (history.length() > 0) history.append(',');
                history.append("{\"ts\":\"").append(hourEnd(k, h)).append("\",\"volume_m3\":\"")
                        .append(BigDecimal.valueOf(register, 3).toPlainString()).append("\"}");
            }
        }
        return "{\"meter\":\"" + METER + "\",\"seq\":" + (k + 1) + ",\"ts\":\"" + hourEnd(k, 23) + "\",\"volume_m3\":\""
                + BigDecimal.valueOf(register, 3).toPlainString() + "\",\"history\":[" + history + "]}";
    }

    private static String hourEnd(int day, int hour) {
        return T0.plusSeconds((day * 24L + hour + 1) * 3600).atZone(ZONE).toOffsetDateTime().toString();
    }

    @Test
    void aDayArrivingAfterTheNextIsJudgedForLeaksInTimeOrder(@TempDir Path dir) throws Exception {
        String prefix = TestBroker.unique("lateday");
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        SettableClock gatewayClock = new SettableClock(T0);
        List<Alarm> published = Collections.synchronizedList(new ArrayList<>());
        IngestPipeline[] pipeline = new IngestPipeline[1];
        try (TimeSeriesStore store = StoreFactory.open(url);
             Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("j.db")), JournalListener.NONE)) {
            store.saveProfile(new MeterProfile(new MeterInfo(METER, Medium.WATER, 100_000, T0, 100_000_000L), "NB-IoT",
                    null, null, null, null, null, null, MeterRole.CUSTOMER));
            BatchCommitter committer = new BatchCommitter(() -> pipeline[0] = IngestPipeline.withRules(store,
                    IngestRules.forStore(url, published::add)));
            try (Forwarder f = new Forwarder(journal, new LocalBatchTransport(committer),
                         new ForwarderSettings("t", 3, Duration.ofSeconds(1), Duration.ofSeconds(2)), Clock.systemUTC()).start();
                 MqttGateway gateway = new MqttGateway(MqttConnectionSettings.defaults(BROKER.uri(), TestBroker.unique("gw")),
                         UplinkSettings.defaults().withTopicPrefix(prefix), DurableReadingSink.of(journal), BalanceSink.NONE,
                         AlarmSink.NONE, gatewayClock, 1);
                 MqttClient meter = new MqttClient(BROKER.uri(), TestBroker.unique("meter"), new MemoryPersistence())) {
                gateway.start();
                assertThat(gateway.awaitConnected(5, TimeUnit.MINUTES)).isTrue();
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                meter.connect(o);
                MqttCounters c = gateway.counters();
                String topic = prefix + "/" + METER + "/up";
                int[] order = new int[LEAK_DAY + 2];
                for (int k = 0; k < LEAK_DAY; k++) order[k] = k;
                order[LEAK_DAY] = LEAK_DAY + 1; // the next day first
                order[LEAK_DAY + 1] = LEAK_DAY; // then the leak day, a day late
                long journalled = 0;
                for (int k : order) {
                    if (k == LEAK_DAY) {
                        assertThat(published).as("the forward pass cannot see the missing day").isEmpty();
                    }
                    // Uploads five minutes after the day's end; the late day with the next one's, a day after its own.
                    gatewayClock.now = T0.plus(Duration.ofDays(k < LEAK_DAY ? k + 1 : LEAK_DAY + 2)).plusSeconds(300);
                    meter.publish(topic, upload(k).getBytes(StandardCharsets.UTF_8), 1, false);
                    long expected = journalled += 24;
                    await("day " + k + " journalled", () -> c.journaled.get() == expected);
                    // Each upload its own batch: the late day reaches the engine after the next day was stored.
                    assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
                }
                assertThat(c.rejectedTotal()).isZero();
                assertThat(pipeline[0].stats().lateReadings()).as("the leak day came late to the engine").isEqualTo(24);
                assertThat(pipeline[0].stats().lateLeakDetections()).isEqualTo(1);
                assertThat(published).filteredOn(a -> a.kind() == AlarmKind.CONTINUOUS_FLOW).first().satisfies(a -> {
                    assertThat(a.subject()).isEqualTo(METER);
                    assertThat(a.observedAt()).isEqualTo(T0.plus(Duration.ofDays(LEAK_DAY + 1)));
                    assertThat(a.detail()).contains("about 2 L/h since " + T0.plus(Duration.ofDays(LEAK_DAY)));
                });
                int changes = published.size();

                // The broker delivers the late day again (a redelivery): a duplicate, no alarm twice.
                meter.publish(topic, upload(LEAK_DAY).getBytes(StandardCharsets.UTF_8), 1, false);
                await("the redelivery counted", () -> c.duplicates.get() == 1);
                assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
                assertThat(published).hasSize(changes);
                assertThat(pipeline[0].rules().alarms().ofSubject(METER)).singleElement()
                        .satisfies(a -> assertThat(a.kind()).isEqualTo(AlarmKind.CONTINUOUS_FLOW));
                meter.disconnect();
            }
            committer.close();
        }
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
