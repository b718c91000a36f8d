package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * The slow store-and-forward suite (about 5 minutes; not matched by Surefire's default includes,
 * so CI's {@code mvn verify} does not run it). Each case has its own Mosquitto (production settings,
 * its own port) that it may stop; PostgreSQL "stops" for the engine through a relay that is cut, so
 * the shared server and everyone else who uses it see nothing.
 *
 * <pre>mvn -B -pl app -am test -Dtest=StoreAndForwardSoak -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Each case ends with the store equal to the simulators' ground truth: zero lost, zero doubled.
 */
@Tag("soak")
class StoreAndForwardSoak {
    static final Duration PATIENCE = StoreAndForwardProcessTest.PATIENCE;
    TestDatabases.Database db;
    MeterStore store;

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
        return "mhsoak-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    static ChildProcess gateway(Path dir, Path config, int run) throws Exception {
        return StoreAndForwardProcessTest.gateway(dir, config, run);
    }

    @Test
    void tenKillsDuringSteadyIngest(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             SimulatedField field = new SimulatedField(40, 4, 600, store, 61);
             MqttIntake engine = StoreAndForwardProcessTest.engine(store, db.url(), broker.uri(), prefix, "soak-kills")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-kills");
            for (int run = 1; run <= 10; run++) {
                ChildProcess gw = gateway(dir, cfg, run);
                field.connect(dtuPort);
                // a kill at a random point of steady polling (each run polls at least once)
                field.awaitReads(field.readsAnswered(), 1, PATIENCE);
                Thread.sleep(ThreadLocalRandom.current().nextInt(2_000));
                gw.kill9();
                field.disconnect();
            }
            try (ChildProcess last = gateway(dir, cfg, 11)) {
                field.connect(dtuPort);
                field.freezeAndAwaitFinalReadings(PATIENCE);
            }
            field.assertStoreEqualsGroundTruth();
        }
    }

    @Test
    void mosquittoStoppedFor60Seconds(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             SimulatedField field = new SimulatedField(24, 3, 600, store, 62);
             MqttIntake engine = StoreAndForwardProcessTest.engine(store, db.url(), broker.uri(), prefix, "soak-mosquitto")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-mosq");
            try (ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                field.awaitStored(48, PATIENCE);
                broker.stop();
                Thread.sleep(60_000); // the outage is the scenario: its length is the point
                broker.start();
                field.freezeAndAwaitFinalReadings(PATIENCE);
            }
            field.assertStoreEqualsGroundTruth();
        }
    }

    @Test
    void postgresqlAwayFor60Seconds(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        URI admin = URI.create(db.url().substring("jdbc:".length()));
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             TcpProxy pg = new TcpProxy(admin.getPort() < 0 ? 5432 : admin.getPort());
             SimulatedField field = new SimulatedField(24, 3, 600, store, 63)) {
            // The engine reaches PostgreSQL only through the relay; the test's own checks go direct.
            String relayed = db.url().replaceFirst("//[^/]+/", "//127.0.0.1:" + pg.port() + "/");
            try (MeterStore engineStore = StoreFactory.open(relayed);
                 MqttIntake engine = StoreAndForwardProcessTest.engine(engineStore, relayed, broker.uri(), prefix, "soak-pg")) {
                Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-pg");
                try (ChildProcess gw = gateway(dir, cfg, 1)) {
                    field.connect(dtuPort);
                    field.awaitStored(48, PATIENCE);
                    pg.cut();
                    Thread.sleep(60_000); // the outage is the scenario: its length is the point
                    pg.restore();
                    field.freezeAndAwaitFinalReadings(PATIENCE);
                }
                field.assertStoreEqualsGroundTruth();
                assertThat(engine.stats().storeFailures()).as("the outage was felt").isPositive();
            }
        }
    }

    @Test
    void twoEngineProcessesOneKilledMidStream(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             SimulatedField field = new SimulatedField(40, 4, 600, store, 64)) {
            ChildProcess a = engineProcess(dir, broker, prefix, "engine-a");
            ChildProcess b = engineProcess(dir, broker, prefix, "engine-b");
            Path cfg = field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-two");
            try (a; b; ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                field.awaitStored(80, PATIENCE);
                awaitLeases("both engines hold partitions", 2);
                a.kill9();
                awaitLeases("engine-b took over every partition", 1);
                field.awaitReads(field.readsAnswered(), 80, PATIENCE);
                field.freezeAndAwaitFinalReadings(PATIENCE);
            }
            field.assertStoreEqualsGroundTruth();
        }
    }

    private void awaitLeases(String what, int holders) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (leaseHolders() != holders || partitionLeases() != 4) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + leaseHolders() + " holders of " + partitionLeases() + " leases");
            }
            Thread.sleep(200);
        }
    }

    private ChildProcess engineProcess(Path dir, PrivateMosquitto broker, String prefix, String id) throws Exception {
        return ChildProcess.start(dir.resolve(id + ".log"), "engine-intake", "--intake", "mqtt://127.0.0.1:" + broker.port(),
                "--store", db.url(), "--partitions", "4", "--engine-id", id, "--topic-prefix", prefix)
                .awaitOutput("meterhub engine-intake", PATIENCE);
    }

    /** Sessions holding at least one partition lease (PgAdvisoryLeases' key space "MHP1"). */
    private int leaseHolders() throws Exception {
        return count("select count(distinct pid) from pg_locks where locktype = 'advisory' and granted"
                + " and classid::bigint = " + 0x4D48_5031L + " and database = (select oid from pg_database where datname = current_database())");
    }

    private int partitionLeases() throws Exception {
        return count("select count(*) from pg_locks where locktype = 'advisory' and granted"
                + " and classid::bigint = " + 0x4D48_5031L + " and database = (select oid from pg_database where datname = current_database())");
    }

    private int count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
