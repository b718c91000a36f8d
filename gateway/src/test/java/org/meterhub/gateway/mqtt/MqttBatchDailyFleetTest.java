package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.BalanceSink;
import org.meterhub.engine.query.Bucket;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.mqtt.IcCardFleet;
import org.meterhub.simulators.mqtt.IcCardMeter;
import org.meterhub.simulators.mqtt.IcFleetSettings;

/**
 * NB-IoT meters that upload a day of hourly readings once a day (some a day late, some with a clock 40 days
 * off), through a private Mosquitto, the gateway, its journal and the engine into a SQLite store: every meter's
 * hourly consumption in the store equals what its register really counted in that hour, to the litre.
 */
class MqttBatchDailyFleetTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    private static final Instant T0 = Instant.parse("2026-11-16T00:00:00Z");
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final int DAYS = 5;

    /** The gateway's clock: the tests moves it to each day's upload time, as a real gateway's clock would be. */
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

    @Test
    void hourlyConsumptionOfDailyBatchMetersMatchesTheirRegistersToTheLitre(@TempDir Path dir) throws Exception {
        String prefix = TestBroker.unique("batch");
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        SettableClock gatewayClock = new SettableClock(T0);
        UplinkSettings up = UplinkSettings.defaults().withTopicPrefix(prefix).withReorderWindow(Duration.ZERO);
        try (MeterStore store = StoreFactory.open(url);
             Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("j.db")).withPartitions(2), JournalListener.NONE);
             IcCardFleet fleet = IcCardFleet.create(10, IcFleetSettings.defaults(BROKER.uri(), TestBroker.unique("sim"),
                     prefix).withClients(2), Clock.fixed(T0, ZoneOffset.UTC), ZONE, 19, i -> java.util.Set.of())) {
            fleet.batchDaily();
            fleet.connect();
            try (Forwarder f = new Forwarder(journal, new LocalBatchTransport(new BatchCommitter(
                         () -> IngestPipeline.withRules(store, IngestRules.forStore(url, AlarmSink.none())))),
                         new ForwarderSettings("t", 3, Duration.ofSeconds(1), Duration.ofSeconds(2)), Clock.systemUTC()).start();
                 MqttGateway gateway = new MqttGateway(MqttConnectionSettings.defaults(BROKER.uri(), TestBroker.unique("gw")),
                         up, DurableReadingSink.of(journal), BalanceSink.NONE, org.meterhub.gateway.mqtt.AlarmSink.NONE, gatewayClock, 1)) {
                gateway.start();
                assertThat(gateway.awaitConnected(5, TimeUnit.MINUTES)).isTrue();
                MqttCounters c = gateway.counters();
                long readings = 0;
                for (int day = 1; day <= DAYS; day++) {
                    Instant upload = T0.plus(Duration.ofDays(day)).plusSeconds(300);
                    gatewayClock.now = upload;
                    long published = fleet.reportAll(upload);
                    for (IcCardMeter m : fleet.meters()) {
                        boolean late = m.batchKind() == IcCardMeter.BatchKind.DAY_LATE;
                        if (!late) readings += 25;
                        else if (day % 2 == 1) readings += (day == 1 ? 24 : 48) + 1; // a day's or two days' hours
                    }
                    long expected = readings;
                    await("day " + day + ": " + published + " uploads journalled", () -> c.journaled.get() == expected);
                }
                assertThat(journal.stats().appended()).isEqualTo(readings);
                assertThat(f.awaitDrained(Duration.ofMinutes(5))).isTrue();
                assertThat(c.rejectedTotal()).isZero();
                assertThat(c.rejectedEntriesTotal()).isZero();
                assertThat(c.duplicates.get()).isZero();
                assertThat(c.seqConflicts.get()).isZero();
                // 10 meters x 5 days x 24 hours of history, and one own reading per upload (day-late meters skip two)
                assertThat(c.historyReadings.get()).isEqualTo(10 * DAYS * 24);
            }
            Instant from = T0.plus(Duration.ofHours(1));        // the first frozen register starts each meter's count
            Instant to = T0.plus(Duration.ofDays(DAYS));         // the last frozen register, uploaded on the last day
            List<String> wrong = new ArrayList<>();
            int hoursChecked = 0;
            long litres = 0;
            try (SqlDatabase db = SqlDatabase.open(url)) {
                JdbcCorrectionRepository corrections = new JdbcCorrectionRepository(db);
                for (IcCardMeter m : fleet.meters()) {
                    List<ConsumptionInterval> effective = corrections.effective(m.id(), from.minusSeconds(86_400), to.plusSeconds(86_400));
                    List<Bucket> hours = ConsumptionQuery.series(effective, from, to, Step.HOUR, ZoneOffset.UTC);
                    List<long[]> registers = m.hourlyRegisters();
                    assertThat(hours).hasSize(DAYS * 24 - 1);
                    for (int i = 0; i < hours.size(); i++) {
                        long[] a = registers.get(i);
                        long[] b = registers.get(i + 1);
                        assertThat(hours.get(i).start()).isEqualTo(Instant.ofEpochMilli(a[0]));
                        long truth = b[1] - a[1];
                        litres += truth;
                        hoursChecked++;
                        if (hours.get(i).volumeL() != truth) {
                            wrong.add(m.id() + " " + m.batchKind() + " " + hours.get(i).start() + ": stored "
                                    + hours.get(i).volumeL() + " L, truth " + truth + " L");
                        }
                    }
                    List<Reading> stored = store.readings(m.id(), from.minusSeconds(3600), to.plusSeconds(86_400));
                    if (m.batchKind() == IcCardMeter.BatchKind.WRONG_CLOCK) {
                        assertThat(stored).allSatisfy(r -> assertThat(r.flags()).contains(ReadingFlag.CLOCK_SKEW));
                    } else {
                        assertThat(stored).noneSatisfy(r -> assertThat(r.flags()).contains(ReadingFlag.CLOCK_SKEW));
                    }
                }
            }
            assertThat(wrong).as("hours whose stored consumption differs from the register").isEmpty();
            assertThat(hoursChecked).isEqualTo(10 * (DAYS * 24 - 1));
            assertThat(litres).as("the meters used gas (the test can fail)").isPositive();
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
