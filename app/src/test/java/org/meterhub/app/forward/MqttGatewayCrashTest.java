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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * Store-and-forward for MQTT meters with real processes: {@code mqtt-gateway} runs in its own JVM
 * (engine in the same process, SQLite store), meters publish through a private Mosquitto with the
 * production settings of docs/mqtt.md with duplicates and out-of-order messages, the gateway is
 * killed with -9 mid-stream and started again. Every distinct reading the meters sent must be stored
 * exactly once and every meter's effective consumption must equal its register difference, to the litre.
 *
 * <p>Nothing here depends on how fast the machine is: the broker queues whatever the dead and
 * restarting gateway is behind by (no queue limit of 1,000 as in Mosquitto's defaults), the kill
 * happens mid-stream because the meters wait for it, and the end is a marker, not a pause.
 */
class MqttGatewayCrashTest {
    static final int METERS = 20;
    /** Between rounds: about 150 uplinks/s. */
    static final int ROUND_MILLIS = 130;
    static final int ROUNDS = 100;
    /** The gateway is killed once this round was published; the meters wait at {@link #KILL_BY} until it is. */
    static final int KILL_AT = 30;
    static final int KILL_BY = 50;
    /** Rounds the meters publish while the gateway is dead, before it is started again. */
    static final int ROUNDS_WHILE_DEAD = 8;
    static final Duration PATIENCE = Duration.ofMinutes(5);

    /** What the meters really sent: per meter, time → register in litres. */
    final List<TreeMap<Instant, Long>> truth = new ArrayList<>();
    final Random rnd = new Random(7);
    final long[] register = new long[METERS];
    final CountDownLatch killed = new CountDownLatch(1);
    final AtomicReference<Throwable> publishFailure = new AtomicReference<>();

    @Test
    void aGatewayKilledWithSignal9MidStreamLosesNoUplinkAndDoublesNone(@TempDir Path dir) throws Exception {
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"))) {
            run(dir, broker.uri());
        }
    }

    private void run(Path dir, String brokerUri) throws Exception {
        String prefix = "mhcrash" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String clientId = prefix + "-gw";
        String store = "jdbc:sqlite:" + dir.resolve("store.db");
        // The gateway's persistent session exists before the first uplink, as it does in service.
        createSession(brokerUri, clientId, prefix + "/+/up");
        String[] args = {"mqtt-gateway", "--broker", brokerUri, "--topic-prefix", prefix, "--client-id", clientId,
                "--store", store, "--commands", dir.resolve("cmd.db").toString(),
                "--journal", dir.resolve("journal.db").toString(), "--partitions", "4"};

        ChildProcess gw = ChildProcess.start(dir.resolve("gw-1.log"), args)
                .awaitOutput("meterhub mqtt-gateway:", PATIENCE);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(5, ChronoUnit.MINUTES);
        for (int m = 0; m < METERS; m++) {
            register[m] = 1_000_000L + rnd.nextInt(100_000);
            truth.add(new TreeMap<>());
        }
        AtomicInteger round = new AtomicInteger();
        MqttAsyncClient c = connectMeters(brokerUri, prefix);
        Thread meters = new Thread(() -> publishAll(c, prefix, t0, round), "meters");
        meters.start();
        awaitRound(round, KILL_AT); // steady ingest
        gw.kill9();
        int roundAtKill = round.get();
        killed.countDown();
        int journalledBeforeRestart;
        try (Journal j = Journal.open(JournalSettings.defaults(dir.resolve("journal.db")).withPartitions(4),
                JournalListener.NONE)) {
            journalledBeforeRestart = j.all().size();
        }
        awaitRound(round, roundAtKill + ROUNDS_WHILE_DEAD); // the broker queues for the dead gateway's session
        ChildProcess again = ChildProcess.start(dir.resolve("gw-2.log"), args)
                .awaitOutput("meterhub mqtt-gateway:", PATIENCE);
        meters.join(PATIENCE.toMillis());
        if (publishFailure.get() != null) throw new AssertionError("publishing failed", publishFailure.get());
        assertThat(meters.isAlive()).as("the meters finished publishing").isFalse();
        assertThat(roundAtKill).as("killed mid-stream").isBetween(KILL_AT, KILL_BY);

        try (MeterStore s = StoreFactory.open(store)) {
            long expected = truth.stream().mapToLong(TreeMap::size).sum();
            awaitStored(s, expected, again);
            // The end marker: one more round. The broker delivers a session's messages in order and the gateway
            // handles each meter's uplinks in order, so once these are stored, anything sent before them (a
            // duplicate that slipped through included) has been handled too.
            publishRound(c, prefix, t0, ROUNDS + 1, false);
            c.disconnect().waitForCompletion(300_000);
            c.close();
            awaitStored(s, expected + METERS, again);
            again.kill9();
            assertThat(s.readingCount()).as("readings stored vs distinct readings the meters sent (journalled"
                    + " but unacknowledged at the kill: %d)\n%s", journalledBeforeRestart, again.output())
                    .isEqualTo(expected + METERS);
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

    private static void awaitRound(AtomicInteger round, int r) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (round.get() < r) {
            if (System.nanoTime() > deadline) throw new AssertionError("the meters did not reach round " + r);
            Thread.sleep(10);
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

    private static void createSession(String broker, String clientId, String filter) throws Exception {
        MqttClient c = new MqttClient(broker, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        c.connect(o);
        c.subscribe(filter, 1);
        c.disconnect();
        c.close();
    }

    private static MqttAsyncClient connectMeters(String broker, String prefix) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(broker, prefix + "-meters", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(2000);
        c.connect(o).waitForCompletion(300_000);
        return c;
    }

    /**
     * {@value #ROUNDS} rounds, one uplink per meter each, {@value #ROUND_MILLIS} ms apart; after round
     * {@value #KILL_BY} the meters wait until the gateway was killed.
     */
    private void publishAll(MqttAsyncClient c, String prefix, Instant t0, AtomicInteger round) {
        try {
            for (int r = 1; r <= ROUNDS; r++) {
                publishRound(c, prefix, t0, r, true);
                round.set(r);
                if (r == KILL_BY && !killed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the gateway was not killed");
                }
                Thread.sleep(ROUND_MILLIS);
            }
        } catch (Throwable e) {
            publishFailure.set(e);
        }
    }

    /** Messages sent after the next round's (out of order). */
    private final String[] heldBack = new String[METERS];

    /**
     * One uplink per meter at {@code t0 + r s}. Faults: every 7th meter repeats a message (a duplicate),
     * every 5th round two meters' messages swap with the next round's (out of order), and a malformed
     * message now and then; none of these may change the outcome.
     */
    private void publishRound(MqttAsyncClient c, String prefix, Instant t0, int r, boolean faults) throws Exception {
        for (int m = 0; m < METERS; m++) {
            register[m] += rnd.nextInt(40);
            Instant ts = t0.plusSeconds(r);
            truth.get(m).put(ts, register[m]); // read after the publishing thread was joined
            String body = String.format("{\"meter\":\"%s\",\"seq\":%d,\"ts\":\"%s\",\"volume_m3\":\"%d.%03d\","
                    + "\"balance_m3\":\"50.000\",\"valve\":\"open\",\"alarms\":[]}", meterId(m), r, ts,
                    register[m] / 1000, register[m] % 1000);
            String topic = prefix + "/" + meterId(m) + "/up";
            if (faults && r % 5 == 0 && m % 10 == 3 && r < ROUNDS) {
                heldBack[m] = body; // sent after the next round's message
                continue;
            }
            publish(c, topic, body);
            if (heldBack[m] != null) {
                publish(c, topic, heldBack[m]);
                heldBack[m] = null;
            }
            if (faults && m % 7 == 0 && r % 3 == 0) publish(c, topic, body);
            if (faults && m == 5 && r % 20 == 0) publish(c, topic, "{\"meter\":\"" + meterId(m) + "\",\"seq\":");
        }
    }

    private static void publish(MqttAsyncClient c, String topic, String body) throws Exception {
        c.publish(topic, body.getBytes(StandardCharsets.UTF_8), 1, false);
    }
}
