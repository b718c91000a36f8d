package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.BatchEntry;
import org.meterhub.engine.intake.FencedStore;
import org.meterhub.engine.intake.IntakeSettings;
import org.meterhub.engine.intake.LeaseFences;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.PgAdvisoryLeases;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * Store-and-forward with real processes: the gateway runs as its own JVM (killed with -9), the
 * simulated meters and the engine intake run here, against a private Mosquitto (production settings,
 * its own port) and a fresh PostgreSQL database per case. The CI cases: one crash, one broker outage
 * (the private broker stopped and started again). The long suite is {@link StoreAndForwardSoak}.
 * Every wait is for a condition (readings stored, meters polled), with a deadline that only bounds a
 * hang; nothing assumes how fast the machine is (no "quiet for a second").
 */
class StoreAndForwardProcessTest {
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final int METERS = 24;
    TestDatabases.Database db;
    MeterStore store;

    /** A database per case: the cases use the same meter numbers. */
    @BeforeEach
    void database() throws Exception {
        db = TestDatabases.createPostgres();
        store = StoreFactory.open(db.url());
    }

    @AfterEach
    void drop() throws Exception {
        store.close();
        db.close();
    }

    static String prefix() {
        return "mhtest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /** An engine intake on {@code broker}, fenced by PostgreSQL advisory-lock leases as engine-intake runs. */
    static MqttIntake engine(MeterStore store, String dbUrl, String broker, String prefix, String name) {
        IntakeSettings s = new IntakeSettings(broker, "meterhub-" + name, new Topics(prefix), 4,
                256, Duration.ofSeconds(1), Duration.ofSeconds(2));
        LeaseFences fences = new LeaseFences(store, name, 4); // fenced, as engine-intake runs
        FencedStore fenced = new FencedStore(store, fences);
        return new MqttIntake(s, new PgAdvisoryLeases(dbUrl, 4), fences, () -> IngestPipeline.withDefaults(fenced))
                .start();
    }

    static ChildProcess gateway(Path dir, Path config, int run) throws Exception {
        return ChildProcess.start(dir.resolve("gateway-" + run + ".log"), "gateway", "--config", config.toString())
                .awaitOutput("listening for DTUs", PATIENCE);
    }

    @Test
    void aGatewayKilledWithSignal9LosesNothingItJournalledAndDoublesNothing(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             SimulatedField field = new SimulatedField(METERS, 3, 600, store, 51);
             MqttIntake engine = engine(store, db.url(), broker.uri(), prefix, "crash-engine")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-crash");
            ChildProcess gw = gateway(dir, cfg, 1);
            field.connect(dtuPort);
            field.awaitStored(2L * METERS, PATIENCE); // steady ingest: through journal, broker and engine
            gw.kill9();
            field.disconnect();

            // What the dead gateway had journalled but the engine had not acknowledged must still arrive.
            List<BatchEntry> orphans;
            try (Journal j = Journal.open(JournalSettings.defaults(field.journalOf(dir, "gw-crash")).withPartitions(4),
                    JournalListener.NONE)) {
                orphans = j.all();
            }

            ChildProcess again = gateway(dir, cfg, 2);
            field.connect(dtuPort);
            field.awaitReads(field.readsAnswered(), 2L * METERS, PATIENCE); // the restarted gateway polls
            field.freezeAndAwaitFinalReadings(PATIENCE);
            again.close();

            field.assertStoreEqualsGroundTruth();
            for (BatchEntry e : orphans) {
                Instant t = e.reading().time();
                assertThat(store.readings(e.reading().meterId(), t, t.plusMillis(1)))
                        .as("journalled before the kill, stored after it: %s", e.reading()).hasSize(1);
            }
            assertThat(engine.stats().rejected()).isZero();
        }
    }

    @Test
    void aBrokerOutageIsRiddenOutInTheJournal(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             SimulatedField field = new SimulatedField(METERS, 3, 600, store, 52);
             MqttIntake engine = engine(store, db.url(), broker.uri(), prefix, "outage-engine")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-outage");
            Instant stopped;
            try (ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                field.awaitStored(2L * METERS, PATIENCE);
                broker.stop(); // returns once the broker process has exited: nothing passes it from here on
                stopped = Instant.now();
                // The meters keep being read (about 15 readings each); the journal keeps them. What the gateway
                // polled after the stop (its receivedAt, the same machine's clock, is later) cannot be stored
                // before the broker is back, however slowly the in-flight batches from before it are committed.
                field.awaitReads(field.readsAnswered(), 15L * METERS, PATIENCE);
                assertThat(readingsReceivedAfter(field, stopped)).as("readings polled while the broker was away"
                        + " and stored before it came back").isZero();
                broker.start();
                try {
                    field.freezeAndAwaitFinalReadings(PATIENCE);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\ngateway output:\n" + gw.output(), e);
                }
                assertThat(gw.alive()).isTrue();
            }
            assertThat(readingsReceivedAfter(field, stopped)).as("the outage's readings, stored once the broker was back")
                    .isPositive();
            field.assertStoreEqualsGroundTruth();
        }
    }

    /** Stored readings the gateway received (polled) after {@code t}, over every meter of the field. */
    static long readingsReceivedAfter(SimulatedField field, Instant t) {
        Instant from = field.clock.start().minus(Duration.ofHours(1));
        Instant to = field.clock.instant().plus(Duration.ofDays(1));
        return field.fleet.meters().stream()
                .flatMap(m -> field.store.readings(m.address().digits(), from, to).stream())
                .filter(r -> r.receivedAt().isAfter(t)).count();
    }
}
