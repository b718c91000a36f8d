package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
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
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.PgAdvisoryLeases;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;

/**
 * The slow store-and-forward suite (about 4 minutes; not matched by Surefire's default includes,
 * so CI's {@code mvn verify} does not run it). Run it alone, never beside other tests: two cases
 * STOP the shared Mosquitto and PostgreSQL servers for 60 s each.
 *
 * <pre>mvn -B -o -pl app test -Dtest=StoreAndForwardSoak -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Each case ends with the store equal to the simulators' ground truth: zero lost, zero doubled.
 */
@Tag("soak")
class StoreAndForwardSoak {
    static final int MQTT_PORT = 1883;
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

    MqttIntake engine(String prefix, String name) {
        return StoreAndForwardProcessTest.engine(store, db.url(), prefix, name);
    }

    static ChildProcess gateway(Path dir, Path config, int run) throws Exception {
        return StoreAndForwardProcessTest.gateway(dir, config, run);
    }

    @Test
    void tenKillsDuringSteadyIngest(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (SimulatedField field = new SimulatedField(40, 4, 600, store, 61);
             MqttIntake engine = engine(prefix, "soak-kills")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, MQTT_PORT, prefix, "gw-kills");
            for (int run = 1; run <= 10; run++) {
                ChildProcess gw = gateway(dir, cfg, run);
                field.connect(dtuPort);
                Thread.sleep(1_000 + ThreadLocalRandom.current().nextInt(2_000));
                gw.kill9();
                field.disconnect();
            }
            try (ChildProcess last = gateway(dir, cfg, 11)) {
                field.connect(dtuPort);
                field.freezeAndAwaitFinalReadings(Duration.ofSeconds(60));
            }
            field.assertStoreEqualsGroundTruth();
        }
    }

    @Test
    void mosquittoStoppedFor60Seconds(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (SimulatedField field = new SimulatedField(24, 3, 600, store, 62);
             MqttIntake engine = engine(prefix, "soak-mosquitto")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, MQTT_PORT, prefix, "gw-mosq");
            try (ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                Thread.sleep(3_000);
                run("pkill", "-x", "mosquitto");
                Thread.sleep(60_000);
                run("mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf");
                field.freezeAndAwaitFinalReadings(Duration.ofSeconds(90));
            } finally {
                ensureMosquitto();
            }
            field.assertStoreEqualsGroundTruth();
        }
    }

    @Test
    void postgresqlStoppedFor60Seconds(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        String version;
        try (var versions = Files.list(Path.of("/etc/postgresql"))) {
            version = versions.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b).orElseThrow();
        }
        try (SimulatedField field = new SimulatedField(24, 3, 600, store, 63);
             MqttIntake engine = engine(prefix, "soak-pg")) {
            Path cfg = field.gatewayConfig(dir, dtuPort, MQTT_PORT, prefix, "gw-pg");
            try (ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                Thread.sleep(3_000);
                run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast");
                Thread.sleep(60_000);
                run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start");
                field.freezeAndAwaitFinalReadings(Duration.ofSeconds(90));
            } finally {
                new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
                        .inheritIO().start().waitFor();
            }
            field.assertStoreEqualsGroundTruth();
            assertThat(engine.stats().storeFailures()).as("the outage was felt").isPositive();
        }
    }

    @Test
    void twoEngineProcessesOneKilledMidStream(@TempDir Path dir) throws Exception {
        String prefix = prefix();
        int dtuPort = SimulatedField.freePort();
        try (SimulatedField field = new SimulatedField(40, 4, 600, store, 64)) {
            ChildProcess a = engineProcess(dir, prefix, "engine-a");
            ChildProcess b = engineProcess(dir, prefix, "engine-b");
            Path cfg = field.gatewayConfig(dir, dtuPort, MQTT_PORT, prefix, "gw-two");
            try (a; b; ChildProcess gw = gateway(dir, cfg, 1)) {
                field.connect(dtuPort);
                Thread.sleep(5_000);
                assertThat(leaseHolders()).as("both engines hold partitions").isEqualTo(2);
                a.kill9();
                long killedAt = System.nanoTime();
                while (leaseHolders() != 1 || partitionLeases() != 4) {
                    assertThat(System.nanoTime() - killedAt).as("takeover within 30 s").isLessThan(30_000_000_000L);
                    Thread.sleep(200);
                }
                Thread.sleep(3_000);
                field.freezeAndAwaitFinalReadings(Duration.ofSeconds(60));
            }
            field.assertStoreEqualsGroundTruth();
        }
    }

    private ChildProcess engineProcess(Path dir, String prefix, String id) throws Exception {
        return ChildProcess.start(dir.resolve(id + ".log"), "engine-intake", "--intake", "mqtt://127.0.0.1:" + MQTT_PORT,
                "--store", db.url(), "--partitions", "4", "--engine-id", id, "--topic-prefix", prefix)
                .awaitOutput("meterhub engine-intake", Duration.ofSeconds(20));
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

    private static void run(String... cmd) throws IOException, InterruptedException {
        new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    private static void ensureMosquitto() throws IOException, InterruptedException {
        if (new ProcessBuilder("pgrep", "-x", "mosquitto").start().waitFor() != 0) {
            run("mosquitto", "-d", "-c", "/etc/mosquitto/mosquitto.conf");
        }
    }
}
