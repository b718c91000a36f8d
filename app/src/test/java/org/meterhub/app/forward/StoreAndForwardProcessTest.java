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

/**
 * Store-and-forward with real processes: the gateway runs as its own JVM (killed with -9), the
 * simulated meters and the engine intake run here, against the real Mosquitto on 127.0.0.1:1883
 * and a fresh PostgreSQL database per case. The CI cases: one crash, one broker outage (cut through a
 * relay, so other users of the shared broker see nothing). The long suite is
 * {@link StoreAndForwardSoak}.
 */
class StoreAndForwardProcessTest {
    static final int MQTT_PORT = 1883;
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

    MqttIntake engine(String prefix, String name) {
        return engine(store, db.url(), prefix, name);
    }

    /** An engine intake on the real broker, fenced by PostgreSQL advisory-lock leases as engine-intake runs. */
    static MqttIntake engine(MeterStore store, String dbUrl, String prefix, String name) {
        IntakeSettings s = new IntakeSettings("tcp://127.0.0.1:" + MQTT_PORT, "meterhub-" + name, new Topics(prefix), 4,
                256, Duration.ofSeconds(1), Duration.ofSeconds(2));
        LeaseFences fences = new LeaseFences(store, name, 4); // fenced, as engine-intake runs
        FencedStore fenced = new FencedStore(store, fences);
        return new MqttIntake(s, new PgAdvisoryLeases(dbUrl, 4), fences, () -> IngestPipeline.withDefaults(fenced))
                .start();
    }

    static ChildProcess gateway(Path dir, Path config, int run) throws Exception {
        return ChildProcess.start(dir.resolve("gateway-" + run + ".log"), "gateway", "--config", config.toString())
                .awaitOutput("listening for DTUs", Duration.ofSeconds(20));
    }

    @Test
    void aGatewayKilledWithSignal9LosesNothingItJournalledAndDoublesNothing(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (SimulatedField field = new SimulatedField(24, 3, 600, store, 51);
             MqttIntake engine = engine(prefix, "crash-engine")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, MQTT_PORT, prefix, "gw-crash");
            ChildProcess gw = gateway(dir, cfg, 1);
            field.connect(dtuPort);
            Thread.sleep(3_000); // steady ingest
            long storedBefore = store.readingCount();
            gw.kill9();
            field.disconnect();
            assertThat(storedBefore).as("readings flowed before the crash").isGreaterThan(24);

            // What the dead gateway had journalled but the engine had not acknowledged must still arrive.
            List<BatchEntry> orphans;
            try (Journal j = Journal.open(JournalSettings.defaults(field.journalOf(dir, "gw-crash")).withPartitions(4),
                    JournalListener.NONE)) {
                orphans = j.all();
            }

            ChildProcess again = gateway(dir, cfg, 2);
            field.connect(dtuPort);
            Thread.sleep(2_000);
            field.freezeAndAwaitFinalReadings(Duration.ofSeconds(20));
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
        try (TcpProxy broker = new TcpProxy(MQTT_PORT);
             SimulatedField field = new SimulatedField(24, 3, 600, store, 52);
             MqttIntake engine = engine(prefix, "outage-engine")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-outage");
            try (ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                Thread.sleep(2_000);
                broker.cut();
                Thread.sleep(500); // what was already past the relay may still land
                long readingsAtCut = engine.stats().readings();
                long storedAtCut = store.readingCount();
                Thread.sleep(6_000); // the meters keep being read (about 450 readings); the journal keeps them
                assertThat(engine.stats().readings()).as("nothing reached the engine while the broker was away")
                        .isEqualTo(readingsAtCut);
                assertThat(store.readingCount()).isEqualTo(storedAtCut);
                broker.restore();
                try {
                    field.freezeAndAwaitFinalReadings(Duration.ofSeconds(30));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\ngateway output:\n" + gw.output(), e);
                }
                assertThat(gw.alive()).isTrue();
            }
            field.assertStoreEqualsGroundTruth();
        }
    }
}
