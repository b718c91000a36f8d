package org.meterhub.app.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.Main;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.tls.BrokerTls;
import org.meterhub.simulators.mqtt.PrivateMosquitto;
import org.meterhub.simulators.mqtt.TestCertificates;

/**
 * IC-card meters' uplinks through a Mosquitto that requires client certificates and takes each certificate's common
 * name as the user its ACL names (docs/security.md, "MQTT client certificates"): {@code mqtt-gateway} and
 * {@code mqtt-sim} in their own JVMs with {@code --mqtt-ca-file/--mqtt-cert-file/--mqtt-key-file}, and a meter whose
 * certificate names it. Its own uplink is stored; one it publishes on another meter's topic is dropped by the broker's
 * ACL; the simulator (an IoT platform's account, allowed every meter's uplink topic) gets its meters' readings stored.
 */
class MqttClientCertificatesTest {
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final String METER = "31000000000001";
    static final String OTHER = "31000000000002";

    @TempDir
    Path dir;

    @Test
    void uplinksFromCertifiedClientsAreStoredAndTheAclHoldsEachMeterToItsTopic() throws Exception {
        String prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        TestCertificates ca = TestCertificates.authority(dir.resolve("pki"), "utility");
        TestCertificates.Issued brokerCert = ca.broker("broker");
        TestCertificates.Issued gatewayCert = ca.client("meterhub-gateway");
        TestCertificates.Issued simCert = ca.clientWithRsaKey("meterhub-sim");
        TestCertificates.Issued meterCert = ca.client(METER);
        Path acl = dir.resolve("meterhub.acl");
        Files.writeString(acl, String.join("\n",
                "# a meter's user name is its certificate's common name: its meter number",
                "pattern write " + prefix + "/%u/up",
                "pattern write " + prefix + "/%u/ack",
                "pattern read " + prefix + "/%u/down",
                "user meterhub-gateway",
                "topic read " + prefix + "/+/up",
                "topic read " + prefix + "/+/ack",
                "topic write " + prefix + "/+/down",
                "topic write alarms/#",
                "user meterhub-sim",
                "topic write " + prefix + "/+/up",
                "topic write " + prefix + "/+/ack",
                "topic read " + prefix + "/+/down", ""));
        PrivateMosquitto.Settings settings = PrivateMosquitto.Settings.production()
                .withTls(ca.caCert(), brokerCert.cert(), brokerCert.key(), true)
                .withExtraLines(List.of("acl_file " + acl.toAbsolutePath()));
        String store = "jdbc:sqlite:" + dir.resolve("mh.db");
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"), settings);
             ChildProcess gateway = ChildProcess.start(dir.resolve("gateway.log"), "mqtt-gateway",
                     "--broker", broker.uri(), "--topic-prefix", prefix, "--client-id", "meterhub-gateway", "--store", store,
                     "--commands", dir.resolve("cmd.db").toString(), "--journal", dir.resolve("journal.db").toString(),
                     "--mqtt-ca-file", ca.caCert().toString(), "--mqtt-cert-file", gatewayCert.cert().toString(),
                     "--mqtt-key-file", gatewayCert.key().toString())
                     .awaitOutput("meterhub mqtt-gateway:", PATIENCE);
             ChildProcess sim = ChildProcess.start(dir.resolve("sim.log"), "mqtt-sim", "--broker", broker.uri(),
                     "--topic-prefix", prefix, "--meters", "2", "--clients", "1", "--first-meter", "31000000005001",
                     "--speed", "1", "--report-interval", "1s", "--duration", "600s",
                     "--truth", dir.resolve("sim-truth.csv").toString(),
                     "--mqtt-ca-file", ca.caCert().toString(), "--mqtt-cert-file", simCert.cert().toString(),
                     "--mqtt-key-file", simCert.key().toString())) {
            MqttClient meter = new MqttClient(broker.uri(), prefix + "-meter", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setSocketFactory(BrokerTls.load(ca.caCert(), meterCert.cert(), meterCert.key()).socketFactory());
            meter.connect(o);
            Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
            try (TimeSeriesStore s = StoreFactory.open(store)) {
                int seq = 1;
                // Until the gateway has subscribed, uplinks are lost: repeat (a duplicate seq has no effect).
                while (readings(s, METER).isEmpty()) {
                    // On another meter's topic first: the ACL drops it, so it must never be stored.
                    publish(meter, prefix, OTHER, seq, t0.plusSeconds(seq));
                    publish(meter, prefix, METER, seq, t0.plusSeconds(seq));
                    seq++;
                    awaitOrFail(gateway, Duration.ofSeconds(2), () -> !readings(s, METER).isEmpty());
                }
                assertThat(readings(s, METER).get(0).volumeL()).isEqualTo(10_000);
                await(gateway, () -> !readings(s, "31000000005001").isEmpty() && !readings(s, "31000000005002").isEmpty());
                assertThat(readings(s, OTHER)).as("an uplink on another meter's topic is dropped by the broker's ACL").isEmpty();
            } finally {
                meter.disconnect();
                meter.close();
            }
            assertThat(sim.alive()).isTrue();
            sim.stop(PATIENCE);
            gateway.stop(PATIENCE);
            assertThat(gateway.output()).contains("stopped; everything accepted is stored").doesNotContain("connect to");
        }
    }

    @Test
    void badTlsFilesAreOneLineErrorsNamingTheOption() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir.resolve("pki"), "utility");
        TestCertificates.Issued a = ca.client("a");
        TestCertificates.Issued b = ca.client("b");
        Path notAKey = dir.resolve("not-a-key.pem");
        Files.writeString(notAKey, "hello\n");
        String missing = dir.resolve("missing.crt").toString();
        assertThat(Main.run("engine-intake", "--intake", "mqtts://127.0.0.1:1", "--mqtt-ca-file", missing))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("mqtt-sim", "--broker", "ssl://127.0.0.1:1", "--mqtt-ca-file", ca.caCert().toString(),
                "--mqtt-cert-file", a.cert().toString(), "--mqtt-key-file", notAKey.toString())).isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("mqtt-gateway", "--broker", "tcp://127.0.0.1:1", "--mqtt-ca-file", ca.caCert().toString(),
                "--store", "jdbc:sqlite:" + dir.resolve("x.db"))).as("TLS files with a plain broker URI").isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("engine-intake", "--intake", "mqtts://127.0.0.1:1", "--mqtt-ca-file", ca.caCert().toString(),
                "--mqtt-cert-file", a.cert().toString(), "--mqtt-key-file", b.key().toString())).isEqualTo(Main.EXIT_USAGE);
    }

    private static List<Reading> readings(TimeSeriesStore s, String meter) {
        return s.readings(meter, Instant.now().minus(7, ChronoUnit.DAYS), Instant.now().plus(7, ChronoUnit.DAYS));
    }

    private static void publish(MqttClient c, String prefix, String meter, int seq, Instant ts) throws Exception {
        String body = "{\"meter\":\"" + meter + "\",\"seq\":" + seq + ",\"ts\":\"" + ts + "\",\"volume_m3\":\"10.000\","
                + "\"balance_m3\":\"50.000\",\"valve\":\"open\",\"alarms\":[]}";
        c.publish(prefix + "/" + meter + "/up", body.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private static void await(ChildProcess gateway, BooleanSupplier condition) throws Exception {
        if (!awaitOrFail(gateway, PATIENCE, condition)) {
            throw new AssertionError("condition not met within " + PATIENCE + "; gateway output:\n" + gateway.output());
        }
    }

    private static boolean awaitOrFail(ChildProcess gateway, Duration max, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (!gateway.alive()) throw new AssertionError("the gateway exited:\n" + gateway.output());
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(100);
        }
        return true;
    }
}
