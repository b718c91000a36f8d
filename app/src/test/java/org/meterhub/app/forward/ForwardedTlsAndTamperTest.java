package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestDatabases;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.alarm.ProcessAlarms;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.intake.FencedStore;
import org.meterhub.engine.intake.IntakeSettings;
import org.meterhub.engine.intake.LeaseFences;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.MqttLink;
import org.meterhub.engine.intake.PgAdvisoryLeases;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.tls.BrokerTls;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.mqtt.PrivateMosquitto;
import org.meterhub.simulators.mqtt.TestCertificates;

/**
 * Store-and-forward through a Mosquitto that requires client certificates ({@code require_certificate true},
 * {@code use_identity_as_username true}, the forwarding link's ACL of docs/security.md on the certificates' names;
 * certificates made by openssl in the test): a forwarding gateway
 * ({@code mqtt.tls}, {@code mqtts://}) delivers its DTUs' readings to an engine intake that has its own certificate,
 * into PostgreSQL; a refused DTU takeover at the gateway becomes a TAMPER alarm in that store; the alarm link speaks
 * TLS too; and clients without a certificate, or with one from another CA, are refused with words that say so.
 */
class ForwardedTlsAndTamperTest {
    static final Duration PATIENCE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void readingsAndATamperAlarmCrossABrokerThatRequiresCertificates() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir.resolve("pki"), "utility");
        TestCertificates.Issued brokerCert = ca.broker("broker");
        TestCertificates.Issued gatewayCert = ca.client("gw-tls");
        TestCertificates.Issued engineCert = ca.clientWithRsaKey("engine-1"); // the traditional RSA key form
        TestCertificates rogue = TestCertificates.authority(dir.resolve("rogue"), "rogue");
        TestCertificates.Issued rogueCert = rogue.client("engine-1");
        String prefix = StoreAndForwardProcessTest.prefix();
        // The forwarding link's ACL of docs/security.md: gateways (CN = gateway id) and engines (CN = engine-<n>).
        Path acl = dir.resolve("meterhub.acl");
        Files.writeString(acl, String.join("\n",
                "pattern write " + prefix + "/v1/readings/#",
                "pattern write " + prefix + "/v1/alarms",
                "pattern read " + prefix + "/v1/acks/%u",
                "pattern read " + prefix + "/v1/ready",
                "user engine-1",
                "topic read " + prefix + "/v1/readings/#",
                "topic read " + prefix + "/v1/alarms",
                "topic write " + prefix + "/v1/acks/#",
                "topic readwrite " + prefix + "/v1/ready",
                "user gw-tls",
                "topic readwrite " + prefix + "/alarms/#", ""));
        PrivateMosquitto.Settings tls = PrivateMosquitto.Settings.production()
                .withTls(ca.caCert(), brokerCert.cert(), brokerCert.key(), true)
                .withExtraLines(List.of("acl_file " + acl.toAbsolutePath()));
        int dtuPort = SimulatedField.freePort();
        try (TestDatabases.Database db = TestDatabases.createPostgres();
             MeterStore store = StoreFactory.open(db.url());
             SqlDatabase alarmDb = SqlDatabase.open(db.url());
             PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"), tls);
             SimulatedField field = new SimulatedField(4, 2, 60, store, 17)) {
            assertThat(broker.uri()).startsWith("ssl://127.0.0.1:");
            JdbcAlarmRepository alarms = new JdbcAlarmRepository(alarmDb);
            AlarmService engineAlarms = new AlarmService(alarms, AlarmDeadlines.defaults(), AlarmSink.none(), Clock.systemUTC());
            IntakeSettings s = new IntakeSettings(broker.uri(), "meterhub-tls-engine", new Topics(prefix), 4, 256,
                    Duration.ofSeconds(1), Duration.ofSeconds(2)).withTls(BrokerTls.load(ca.caCert(), engineCert.cert(),
                    engineCert.key()));
            LeaseFences fences = new LeaseFences(store, "tls-engine", 4);
            FencedStore fenced = new FencedStore(store, fences);
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, Files.readString(field.gatewayConfig(dir, dtuPort, broker.port(), prefix, "gw-tls"))
                    .replace("forward-to: mqtt://", "forward-to: mqtts://")
                    + "mqtt:\n  tls:\n    ca-file: " + ca.caCert() + "\n    cert-file: " + gatewayCert.cert()
                    + "\n    key-file: " + gatewayCert.key() + "\n");
            GatewayConfig cfg = new ConfigLoader().load(config, GatewayConfig.class);
            try (MqttIntake engine = new MqttIntake(s, new PgAdvisoryLeases(db.url(), 4), fences,
                    () -> IngestPipeline.withDefaults(fenced)).withAlarms(new StoredGatewayAlarms(engineAlarms)).start();
                 ForwardingGateway gw = new ForwardingGateway(cfg, Clock.systemUTC(), SingleBox.pollSettings(cfg.poll()), 1)) {
                gw.start();
                field.connect(dtuPort);
                List<String> meters = field.fleet.meters().stream().map(m -> m.address().digits()).toList();
                await("every meter's readings stored by the engine over TLS", () -> meters.stream().allMatch(id ->
                        !store.readings(id, field.clock.start().minus(1, ChronoUnit.HOURS),
                                field.clock.instant().plus(1, ChronoUnit.DAYS)).isEmpty()));
                assertThat(engine.connected()).isTrue();

                // An intruder dials in with the id of a connected DTU and no proof.
                SimulatedDtu victim = field.fleet.dtus().get(0);
                try (Socket intruder = new Socket("127.0.0.1", dtuPort)) {
                    intruder.setSoTimeout(10_000);
                    OutputStream out = intruder.getOutputStream();
                    out.write((victim.id() + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(intruder.getInputStream().read()).as("the gateway closes the intruder's connection").isEqualTo(-1);
                }
                await("the TAMPER alarm stored by the engine", () -> !alarms.bySubject(victim.id()).isEmpty());
                Alarm tamper = alarms.bySubject(victim.id()).get(0);
                assertThat(tamper.kind()).isEqualTo(AlarmKind.TAMPER);
                assertThat(tamper.state()).isEqualTo(AlarmState.RAISED);
                assertThat(tamper.detail()).startsWith("gateway gw-tls: DTU registration from").contains("refused");
                await("the gateway saw the engine's acknowledgement", () -> gw.alarms().pending() == 0);
                assertThat(gw.alarms().acknowledgedCount()).isEqualTo(1);
                assertThat(engine.stats().alarms()).isEqualTo(1);
                assertThat(victim.isConnected()).as("the real DTU keeps its bus").isTrue();
                assertThat(gw.finish(Duration.ofSeconds(60))).as("the engine acknowledged everything journalled").isTrue();
            }

            // The process alarm link with the gateway's certificate: an operator (its own certificate) receives it.
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            MqttClient operator = client(broker.uri(), "operator", BrokerTls.load(ca.caCert(), gatewayCert.cert(), gatewayCert.key()));
            operator.subscribe(prefix + "/alarms/#", 1, (t, m) -> received.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
            try (AlarmPublishing publishing = AlarmPublishing.start(new GatewayConfig.AlarmsSection(broker.uri(), prefix + "/",
                    "alarms-gw-tls"), cfg.mqtt().brokerTls());
                 ProcessAlarms process = publishing.processAlarms("gateway-gw-tls", List.of(new ProcessAlarms.Condition(
                         "JOURNAL_DISK_LOW", () -> true, () -> "test condition", Duration.ZERO)))) {
                String message = received.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertThat(message).as("a process alarm over TLS").isNotNull()
                        .startsWith(prefix + "/alarms/gateway-gw-tls ").contains("JOURNAL_DISK_LOW");
            } finally {
                operator.disconnect();
                operator.close();
            }

            // Refused: no client certificate, and a certificate from another CA (same common name).
            assertThat(refusal(broker, BrokerTls.load(ca.caCert(), null, null), "requires a client certificate"))
                    .allSatisfy(m -> assertThat(m).containsAnyOf("requires a client certificate", CLOSED_IN_HANDSHAKE));
            assertThat(refusal(broker, BrokerTls.load(ca.caCert(), rogueCert.cert(), rogueCert.key()),
                    "refused this client's certificate (not signed"))
                    .allSatisfy(m -> assertThat(m).containsAnyOf("refused this client's certificate", CLOSED_IN_HANDSHAKE));
            assertThat(Files.readString(broker.log())).contains("certificate");
        }
    }

    /** What a TLS 1.3 client sees when the broker's alert comes after it started writing (a race on every attempt). */
    static final String CLOSED_IN_HANDSHAKE = "closed the connection during the TLS handshake";

    /**
     * Every reason a link with {@code tls} gave for failing to connect, until one says {@code expected}; asserts it
     * never connects.
     */
    private static java.util.Set<String> refusal(PrivateMosquitto broker, BrokerTls tls, String expected) throws Exception {
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        try (MqttLink link = new MqttLink(broker.uri(), "meterhub-refused-" + System.nanoTime(), tls, Duration.ofMillis(500),
                (t, p) -> { })) {
            link.start();
            await("a connect failure saying \"" + expected + "\"", () -> {
                String m = link.lastConnectFailure();
                if (m != null) seen.add(m);
                return m != null && m.contains(expected);
            });
            assertThat(link.connected()).isFalse();
        }
        return seen;
    }

    private static MqttClient client(String uri, String id, BrokerTls tls) throws Exception {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setSocketFactory(tls.socketFactory());
        c.connect(o);
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}
