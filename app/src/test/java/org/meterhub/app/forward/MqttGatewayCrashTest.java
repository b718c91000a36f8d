package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;

/**
 * Store-and-forward for MQTT meters with real processes: {@code mqtt-gateway} runs in its own JVM
 * (engine in the same process, SQLite store), meters publish through the real Mosquitto on
 * 127.0.0.1:1883 with duplicates and out-of-order messages, the gateway is killed with -9 mid-stream
 * and started again. Every distinct reading the meters sent must be stored exactly once and every
 * meter's effective consumption must equal its register difference, to the litre.
 */
class MqttGatewayCrashTest {
    static final String BROKER = System.getProperty("meterhub.mqtt", "tcp://127.0.0.1:1883");
    static final int METERS = 20;
    /**
     * Between rounds. About 150 uplinks/s: while the gateway is dead (about 4 s with its restart) the
     * broker queues fewer than Mosquitto's default max_queued_messages (1,000), so the shared test
     * broker's defaults lose nothing (docs/mqtt.md names the settings for real loads).
     */
    static final int ROUND_MILLIS = 130;
    static final int ROUNDS = 100;

    /** What the meters really sent: per meter, time → register in litres. */
    final List<TreeMap<Instant, Long>> truth = new ArrayList<>();

    @Test
    void aGatewayKilledWithSignal9MidStreamLosesNoUplinkAndDoublesNone(@TempDir Path dir) throws Exception {
        String prefix = "mhcrash" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String clientId = prefix + "-gw";
        String store = "jdbc:sqlite:" + dir.resolve("store.db");
        // The gateway's persistent session exists before the first uplink, as it does in service.
        createSession(clientId, prefix + "/+/up");
        String[] args = {"mqtt-gateway", "--broker", BROKER, "--topic-prefix", prefix, "--client-id", clientId,
                "--store", store, "--commands", dir.resolve("cmd.db").toString(),
                "--journal", dir.resolve("journal.db").toString(), "--partitions", "4"};

        ChildProcess gw = ChildProcess.start(dir.resolve("gw-1.log"), args)
                .awaitOutput("meterhub mqtt-gateway:", Duration.ofSeconds(30));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(5, ChronoUnit.MINUTES);
        AtomicInteger round = new AtomicInteger();
        Thread meters = new Thread(() -> publishAll(prefix, t0, round), "meters");
        meters.start();
        while (round.get() < 30) Thread.sleep(20); // steady ingest
        gw.kill9();
        int roundAtKill = round.get();
        int journalledBeforeRestart;
        try (Journal j = Journal.open(JournalSettings.defaults(dir.resolve("journal.db")).withPartitions(4),
                JournalListener.NONE)) {
            journalledBeforeRestart = j.all().size();
        }
        Thread.sleep(1_000); // the meters go on; the broker queues for the dead gateway's session
        ChildProcess again = ChildProcess.start(dir.resolve("gw-2.log"), args)
                .awaitOutput("meterhub mqtt-gateway:", Duration.ofSeconds(30));
        meters.join(60_000);
        assertThat(roundAtKill).as("killed mid-stream").isBetween(25, ROUNDS - 10);

        long expected = truth.stream().mapToLong(TreeMap::size).sum();
        try (MeterStore s = StoreFactory.open(store)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (s.readingCount() < expected && System.nanoTime() < deadline) Thread.sleep(200);
            Thread.sleep(500); // anything beyond the expected count (a double) would show now
            again.kill9();
            assertThat(s.readingCount()).as("readings stored vs distinct readings the meters sent (journalled"
                    + " but unacknowledged at the kill: %d)\n%s", journalledBeforeRestart, again.output()).isEqualTo(expected);
            Instant from = t0.minus(1, ChronoUnit.HOURS);
            Instant to = t0.plus(1, ChronoUnit.DAYS);
            try (SqlDatabase db = SqlDatabase.open(store)) {
                JdbcCorrectionRepository corrections = new JdbcCorrectionRepository(db);
                for (int m = 0; m < METERS; m++) {
                    String id = meterId(m);
                    TreeMap<Instant, Long> sent = truth.get(m);
                    List<Reading> stored = s.readings(id, from, to);
                    TreeMap<Instant, Long> got = new TreeMap<>();
                    for (Reading r : stored) assertThat(got.put(r.time(), r.volumeL())).as("one reading per time").isNull();
                    assertThat(got).as("meter %s: stored readings equal what it sent", id).isEqualTo(sent);
                    long consumed = corrections.effective(id, from, to).stream().mapToLong(ConsumptionInterval::volumeL).sum();
                    assertThat(consumed).as("meter %s: effective consumption equals its register difference", id)
                            .isEqualTo(sent.lastEntry().getValue() - sent.firstEntry().getValue());
                }
            }
        } finally {
            again.close();
        }
    }

    static String meterId(int m) {
        return String.format("3900%010d", m);
    }

    private static void createSession(String clientId, String filter) throws Exception {
        MqttClient c = new MqttClient(BROKER, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        c.connect(o);
        c.subscribe(filter, 1);
        c.disconnect();
        c.close();
    }

    /**
     * {@value #ROUNDS} rounds, one uplink per meter each, {@value #ROUND_MILLIS} ms apart. Faults: every 7th meter
     * repeats a message (a duplicate), every 5th round two meters' messages swap with the next round's
     * (out of order), and a malformed message now and then; none of these may change the outcome.
     */
    private void publishAll(String prefix, Instant t0, AtomicInteger round) {
        Random rnd = new Random(7);
        long[] register = new long[METERS];
        for (int m = 0; m < METERS; m++) {
            register[m] = 1_000_000L + rnd.nextInt(100_000);
            truth.add(new TreeMap<>());
        }
        try {
            MqttAsyncClient c = new MqttAsyncClient(BROKER, prefix + "-meters", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(2000);
            c.connect(o).waitForCompletion(10_000);
            String[] heldBack = new String[METERS];
            for (int r = 1; r <= ROUNDS; r++) {
                for (int m = 0; m < METERS; m++) {
                    register[m] += rnd.nextInt(40);
                    Instant ts = t0.plusSeconds(r);
                    truth.get(m).put(ts, register[m]);
                    String body = String.format("{\"meter\":\"%s\",\"seq\":%d,\"ts\":\"%s\",\"volume_m3\":\"%d.%03d\","
                            + "\"balance_m3\":\"50.000\",\"valve\":\"open\",\"alarms\":[]}", meterId(m), r, ts,
                            register[m] / 1000, register[m] % 1000);
                    String topic = prefix + "/" + meterId(m) + "/up";
                    if (r % 5 == 0 && m % 10 == 3 && r < ROUNDS) {
                        heldBack[m] = body; // sent after the next round's message
                        continue;
                    }
                    publish(c, topic, body);
                    if (heldBack[m] != null) {
                        publish(c, topic, heldBack[m]);
                        heldBack[m] = null;
                    }
                    if (m % 7 == 0 && r % 3 == 0) publish(c, topic, body);
                    if (m == 5 && r % 20 == 0) publish(c, topic, "{\"meter\":\"" + meterId(m) + "\",\"seq\":");
                }
                round.set(r);
                Thread.sleep(ROUND_MILLIS);
            }
            c.disconnect().waitForCompletion(10_000);
            c.close();
        } catch (Exception e) {
            throw new AssertionError("publishing failed: " + e.getMessage(), e);
        }
    }

    private static void publish(MqttAsyncClient c, String topic, String body) throws Exception {
        c.publish(topic, body.getBytes(StandardCharsets.UTF_8), 1, false);
    }
}
