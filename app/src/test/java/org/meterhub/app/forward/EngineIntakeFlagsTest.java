package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.JdbcValidationRepository;
import org.meterhub.engine.vee.ValidationFlag;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.MqttBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * Issue 21: {@code engine-intake} keeps the validation flags it computes in the store, as the single box does, not in a
 * bounded cache of its own memory: a meter's register going down and then jumping by more than its Qmax allows gives
 * REVERSE_FLOW and SPIKE flags in {@code validation_flags} (what queries and the console read) and DATA_QUALITY alarms
 * in the store's alarm list. Real processes and servers: {@code engine-intake} in its own JVM, a private Mosquitto, a
 * fresh database on the real PostgreSQL, the gateway's journal and forwarder in this JVM.
 */
class EngineIntakeFlagsTest {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final String FLAGGED = "35000000000001";
    static final String CLEAN = "35000000000002";

    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void flagsComputedAtIntakeAreInTheStore(@TempDir Path dir) throws Exception {
        String prefix = "mhflags" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        long[] flagged = {100_000, 100_037, 99_000, 99_037, 104_037, 104_074}; // down 1,037 L; then up 5,000 L in 15 min
        try (TestDatabases.Database db = TestDatabases.createPostgres();
             MeterStore direct = StoreFactory.open(db.url());
             PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             ChildProcess engine = ChildProcess.start(dir.resolve("engine.log"), "engine-intake",
                     "--intake", "mqtt://127.0.0.1:" + broker.port(), "--store", db.url(), "--partitions", "4",
                     "--engine-id", prefix + "-eng", "--topic-prefix", prefix, "--alarms-mqtt", "none")
                     .awaitOutput("meterhub engine-intake", PATIENCE);
             Journal journal = Journal.open(JournalSettings.defaults(dir.resolve("journal.db")).withPartitions(4),
                     JournalListener.NONE);
             Forwarder gateway = new Forwarder(journal, new MqttBatchTransport(broker.uri(), prefix + "-gw", new Topics(prefix),
                     Duration.ofSeconds(2)), new ForwarderSettings(prefix + "-gw", 50, Duration.ofSeconds(5), Duration.ofSeconds(10)),
                     Clock.systemUTC()).start()) {
            for (int k = 0; k < flagged.length; k++) {
                journal.append(reading(FLAGGED, k, flagged[k]));
                journal.append(reading(CLEAN, k, 200_000L + 41L * k));
            }
            assertThat(gateway.awaitDrained(PATIENCE)).as("acknowledged by the engine (stored)\n%s", engine.output()).isTrue();
            assertThat(direct.readingCount()).isEqualTo(2L * flagged.length);

            try (SqlDatabase sql = SqlDatabase.open(db.url())) {
                JdbcValidationRepository flags = new JdbcValidationRepository(sql);
                Instant to = T0.plusSeconds(900L * flagged.length);
                // Rule records are written just after their batch's readings are committed (and acknowledged).
                SingleBoxStoreOutageTest.await("the flags in the store", PATIENCE, () -> flags.flags(FLAGGED, T0, to).size() >= 2);
                List<ValidationFlag> got = flags.flags(FLAGGED, T0, to);
                assertThat(got).extracting(ValidationFlag::kind).containsExactly(FlagKind.REVERSE_FLOW, FlagKind.SPIKE);
                assertThat(got).extracting(ValidationFlag::readingTime).containsExactly(T0.plusSeconds(1800), T0.plusSeconds(3600));
                assertThat(got.get(0).reason()).contains("1037");
                assertThat(flags.flags(CLEAN, T0, to)).as("a meter that behaves has none").isEmpty();
                List<Alarm> alarms = new JdbcAlarmRepository(sql).bySubject(FLAGGED);
                assertThat(alarms).as("the flags' alarms are in the store's alarm list too")
                        .extracting(Alarm::kind).contains(AlarmKind.DATA_QUALITY);
            }
            // What engine-intake's pipelines keep their flags in: the store, not a cache that fills this process's heap.
            try (IngestPipeline p = org.meterhub.app.forward.EngineIntakeCommand.pipeline(direct, db.url(),
                    IngestRules.Options.defaults())) {
                assertThat(p.rules().flags()).isInstanceOf(JdbcValidationRepository.class);
            }
        }
    }

    static Reading reading(String meter, int k, long volumeL) {
        Instant t = T0.plusSeconds(900L * k);
        return new Reading(meter, t, t, volumeL, ReadingSource.CJT188, Set.of(), 0);
    }
}
