package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * Issue 21 for {@code mqtt-gateway} (its own JVM, engine in process, PostgreSQL store): while its store is away the
 * gateway keeps taking uplinks into its journal, says {@code store DOWN} on {@code /health/ready}, and raises the
 * process alarm {@code STORE_DOWN} on the alarm topic through its uplink session once the outage has lasted the
 * threshold; when the store is back the alarm is resolved once and every uplink is stored exactly once. The store is
 * a fresh database on the real PostgreSQL, reached only through a loopback relay the test cuts (the shared server is
 * never stopped); the broker is a private Mosquitto; an operator subscribes to {@code alarms/#}.
 */
class MqttGatewayStoreOutageTest {
    static final int METERS = 12;
    static final int ROUNDS = 4;
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final ObjectMapper JSON = new ObjectMapper();

    private record Received(String topic, JsonNode body) {
        String kind() {
            return body.get("kind").asText();
        }

        String state() {
            return body.get("state").asText();
        }
    }

    final List<TreeMap<Instant, Long>> truth = new ArrayList<>();
    final long[] register = new long[METERS];

    @Test
    @Timeout(1800) // only bounds a hang: every wait inside ends on its condition
    void storeDownIsRaisedOnTheAlarmTopicAndClearedAndEveryUplinkIsStoredOnce(@TempDir Path dir) throws Exception {
        String prefix = "mhout" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String gatewayId = prefix + "-gw";
        List<Received> alarms = new CopyOnWriteArrayList<>();
        try (TestDatabases.Database db = TestDatabases.createPostgres();
             MeterStore direct = StoreFactory.open(db.url()); // the test's own checks go straight to PostgreSQL
             TcpProxy pg = new TcpProxy(port(db.url()));
             PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"))) {
            String relayed = db.url().replaceFirst("//[^/]+/", "//127.0.0.1:" + pg.port() + "/");
            MqttClient operator = connect(broker.uri(), prefix + "-operator");
            operator.subscribe(prefix + "/alarms/#", 1, (t, m) -> alarms.add(new Received(t, JSON.readTree(m.getPayload()))));
            MqttClient meters = connect(broker.uri(), prefix + "-meters");
            int admin = SimulatedField.freePort();
            // The gateway's persistent session exists before the first uplink, as it does in service.
            createSession(broker.uri(), prefix + "-gw", prefix + "/+/up");
            try (ChildProcess gw = ChildProcess.start(dir.resolve("gateway.log"), "mqtt-gateway", "--broker", broker.uri(),
                    "--topic-prefix", prefix, "--client-id", prefix + "-gw", "--gateway-id", gatewayId, "--store", relayed,
                    "--commands", dir.resolve("cmd.db").toString(), "--journal", dir.resolve("journal.db").toString(),
                    "--partitions", "4", "--store-retry", "250ms", "--store-retry-max", "1s",
                    "--store-down-alarm-after", "2s", "--alarms-topic-prefix", prefix, "--admin", "127.0.0.1:" + admin)
                    .awaitOutput("meterhub mqtt-gateway:", PATIENCE)) {
                Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(5, ChronoUnit.MINUTES);
                for (int m = 0; m < METERS; m++) {
                    register[m] = 2_000_000L + 1_000L * m;
                    truth.add(new TreeMap<>());
                }
                publishRound(meters, prefix, t0, 1);
                awaitStored(direct, METERS, gw);
                assertThat(ready(admin).statusCode()).as("ready before the outage").isEqualTo(200);

                pg.cut();
                for (int r = 2; r <= ROUNDS; r++) publishRound(meters, prefix, t0, r);
                await(alarms, r -> r.kind().equals("STORE_DOWN") && r.state().equals("RAISED"), gw);
                HttpResponse<String> notReady = ready(admin);
                assertThat(notReady.statusCode()).as("/health/ready while the store is away").isEqualTo(503);
                assertThat(JSON.readTree(notReady.body()).get("checks").get("store").asText()).isEqualTo("DOWN");
                assertThat(JSON.readTree(notReady.body()).get("checks").get("journal").asText()).isEqualTo("UP");
                JsonNode health = JSON.readTree(get(admin, "/health").body());
                assertThat(health.get("store").get("state").asText()).isEqualTo("DOWN");
                assertThat(health.get("journal").get("pending").asLong()).as("the outage's uplinks wait in the journal")
                        .isEqualTo((ROUNDS - 1L) * METERS);
                assertThat(direct.readingCount()).as("nothing reached the store meanwhile").isEqualTo(METERS);
                SingleBoxStoreOutageTest.await("the status line saying so", PATIENCE, () -> output(gw).contains("store: DOWN since"));

                pg.restore();
                long back = System.nanoTime();
                awaitStored(direct, (long) ROUNDS * METERS, gw);
                long stored = System.nanoTime() - back;
                await(alarms, r -> r.kind().equals("STORE_DOWN") && r.state().equals("RESOLVED"), gw);
                System.out.printf("mqtt-gateway store outage: the outage's %d uplinks stored %d ms after the store was"
                        + " reachable again, STORE_DOWN resolved after %d ms (store retry 250ms..1s)%n", (ROUNDS - 1) * METERS,
                        stored / 1_000_000, (System.nanoTime() - back) / 1_000_000);
                SingleBoxStoreOutageTest.await("ready again", PATIENCE, () -> ready(admin).statusCode() == 200);
                gw.stop(PATIENCE);
                assertThat(gw.output()).contains("stopped; everything accepted is stored")
                        .contains("process alarms on " + broker.uri() + ", topic " + prefix + "/alarms/gateway-" + gatewayId);
            } finally {
                meters.disconnect();
                meters.close();
                operator.disconnect();
                operator.close();
            }

            assertThat(direct.readingCount()).as("every uplink stored once").isEqualTo((long) ROUNDS * METERS);
            for (int m = 0; m < METERS; m++) {
                TreeMap<Instant, Long> got = new TreeMap<>();
                for (Reading r : direct.readings(meterId(m), Instant.EPOCH, Instant.now().plus(1, ChronoUnit.DAYS))) {
                    assertThat(got.put(r.time(), r.volumeL())).as("one reading per time").isNull();
                }
                assertThat(got).as("meter %s: stored readings equal what it sent", meterId(m)).isEqualTo(truth.get(m));
            }
            List<Received> storeDown = alarms.stream().filter(r -> r.kind().equals("STORE_DOWN")).toList();
            assertThat(storeDown).extracting(Received::state).as("raised once, resolved once").containsExactly("RAISED", "RESOLVED");
            assertThat(storeDown).extracting(Received::topic).containsOnly(prefix + "/alarms/gateway-" + gatewayId);
            JsonNode raised = storeDown.get(0).body();
            assertThat(raised.get("category").asText()).isEqualTo("PROCESS");
            assertThat(raised.get("subject").asText()).isEqualTo("gateway-" + gatewayId);
            assertThat(raised.get("detail").asText()).startsWith("store: DOWN since ");
            assertThat(alarms).as("the journal kept writing").noneMatch(r -> r.kind().equals("JOURNAL_CANNOT_WRITE"));
        }
    }

    private void publishRound(MqttClient c, String prefix, Instant t0, int r) throws Exception {
        for (int m = 0; m < METERS; m++) {
            register[m] += 10 + 7L * m + r;
            Instant ts = t0.plusSeconds(60L * r);
            truth.get(m).put(ts, register[m]);
            String body = String.format("{\"meter\":\"%s\",\"seq\":%d,\"ts\":\"%s\",\"volume_m3\":\"%d.%03d\","
                    + "\"balance_m3\":\"50.000\",\"valve\":\"open\",\"alarms\":[]}", meterId(m), r, ts,
                    register[m] / 1000, register[m] % 1000);
            c.publish(prefix + "/" + meterId(m) + "/up", body.getBytes(StandardCharsets.UTF_8), 1, false);
        }
    }

    static String meterId(int m) {
        return String.format("3800%010d", m);
    }

    private static int port(String jdbcUrl) {
        int p = URI.create(jdbcUrl.substring("jdbc:".length())).getPort();
        return p < 0 ? 5432 : p;
    }

    private static MqttClient connect(String broker, String clientId) throws Exception {
        MqttClient c = new MqttClient(broker, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        return c;
    }

    private static void createSession(String broker, String clientId, String filter) throws Exception {
        MqttClient c = new MqttClient(broker, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        c.connect(o);
        c.subscribe(filter, 1);
        c.disconnect();
        c.close();
    }

    private static String output(ChildProcess p) {
        try {
            return p.output();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> ready(int port) {
        return get(port, "/health/ready");
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + path + ": " + e.getMessage(), e);
        }
    }

    private static void awaitStored(MeterStore s, long n, ChildProcess gateway) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (s.readingCount() < n) {
            if (System.nanoTime() > deadline || !gateway.alive()) {
                throw new AssertionError(s.readingCount() + " of " + n + " readings stored\n" + gateway.output());
            }
            Thread.sleep(100);
        }
    }

    private static void await(List<Received> received, Predicate<Received> what, ChildProcess gateway) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (received.stream().noneMatch(what)) {
            if (System.nanoTime() > deadline || !gateway.alive()) {
                throw new AssertionError("alarm not received; got " + received + "\n" + gateway.output());
            }
            Thread.sleep(20);
        }
    }
}
