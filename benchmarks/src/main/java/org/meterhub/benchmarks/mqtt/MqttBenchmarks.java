package org.meterhub.benchmarks.mqtt;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.meterhub.engine.prepaid.BalanceSink;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.gateway.command.CommandService;
import org.meterhub.gateway.command.CommandSettings;
import org.meterhub.gateway.command.CommandStore;
import org.meterhub.gateway.command.CommandType;
import org.meterhub.gateway.mqtt.AlarmSink;
import org.meterhub.gateway.mqtt.MqttConnectionSettings;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.MqttGateway;
import org.meterhub.gateway.mqtt.UplinkSettings;
import org.meterhub.simulators.mqtt.IcCardFleet;
import org.meterhub.simulators.mqtt.IcFleetSettings;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * MQTT load runs against a real broker (not JMH: the broker is the system under test).
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.mqtt.MqttBenchmarks ingest [messages] [meters]
 *   java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.mqtt.MqttBenchmarks commands [meters] [per-second]
 *   java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.mqtt.MqttBenchmarks batched [uplinks] [meters] [connections] [history]
 * </pre>
 *
 * <p>{@code batched}: as {@code stream}, each uplink a daily batch meter's upload with {@code history}
 * (24) hourly readings besides its own, each journalled with its identity: the gateway's readings/s
 * against {@code mosquitto_sub}'s messages/s in the same run, then each alone.
 *
 * <p>{@code ingest}: simulated IC-card meters publish QoS 1 uplinks as fast as the broker takes them;
 * the gateway (parse, validate, dedupe, order, Reading out) and {@code mosquitto_sub} subscribe to
 * the same stream in the same run. Both rates are first-to-last message; messages the broker dropped
 * for the gateway show up as counted seq gaps. {@code commands}: one command per meter, paced,
 * with every round trip (first publish → ack) in an HdrHistogram.
 */
public final class MqttBenchmarks {
    private static final String DEFAULT_BROKER = System.getProperty("meterhub.mqtt", "tcp://127.0.0.1:1883");
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private MqttBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "all";
        if (mode.equals("ingest") || mode.equals("all")) {
            System.out.println("== broker " + DEFAULT_BROKER + " with its own settings");
            ingest(DEFAULT_BROKER, 1883, arg(args, 1, 300_000), (int) arg(args, 2, 10_000));
        }
        if (mode.equals("stream") || mode.equals("all")) {
            long n = arg(args, 1, 300_000);
            int meters = (int) arg(args, 2, 10_000);
            int clients = (int) arg(args, 3, 2);
            int batch = (int) arg(args, 4, 8_000);
            int qos = (int) arg(args, 5, 1);
            // phases: all, or one of same-run, gateway, sub (e.g. to profile one of them alone)
            String phases = args.length > 6 ? args[6] : "all";
            withTunedBroker(b -> {
                if (phases.equals("all") || phases.equals("same-run")) {
                    System.out.println("-- same run, same stream: gateway and mosquitto_sub both subscribed");
                    stream(b.uri(), b.port(), n, meters, clients, batch, qos, true, true, 0);
                }
                if (phases.equals("all") || phases.equals("gateway")) {
                    System.out.println("-- gateway alone (the broker fans out once)");
                    stream(b.uri(), b.port(), n, meters, clients, batch, qos, true, false, 0);
                }
                if (phases.equals("all") || phases.equals("sub")) {
                    System.out.println("-- mosquitto_sub alone (the broker fans out once)");
                    stream(b.uri(), b.port(), n, meters, clients, batch, qos, false, true, 0);
                }
            });
        }
        if (mode.equals("batched")) {
            // Daily batch meters: each QoS 1 uplink carries `history` hourly readings and its own (protocols.md §3).
            long n = arg(args, 1, 100_000);
            int meters = (int) arg(args, 2, 10_000);
            int clients = (int) arg(args, 3, 1);
            int history = (int) arg(args, 4, 24);
            String phases = args.length > 5 ? args[5] : "all";
            withTunedBroker(b -> {
                if (phases.equals("all") || phases.equals("same-run")) {
                    System.out.println("-- same run, same stream: gateway and mosquitto_sub both subscribed");
                    stream(b.uri(), b.port(), n, meters, clients, 8_000, 1, true, true, history);
                }
                if (phases.equals("all") || phases.equals("gateway")) {
                    System.out.println("-- gateway alone (the broker fans out once)");
                    stream(b.uri(), b.port(), n, meters, clients, 8_000, 1, true, false, history);
                }
                if (phases.equals("all") || phases.equals("sub")) {
                    System.out.println("-- mosquitto_sub alone (the broker fans out once)");
                    stream(b.uri(), b.port(), n, meters, clients, 8_000, 1, false, true, history);
                }
            });
        }
        if (mode.equals("ingest-tuned") || mode.equals("all")) {
            withTunedBroker(b -> ingest(b.uri(), b.port(), arg(args, 1, 300_000), (int) arg(args, 2, 10_000)));
        }
        if (mode.equals("commands-tuned") || mode.equals("all")) {
            withTunedBroker(b -> commands(b.uri(), (int) arg(args, mode.equals("all") ? 9 : 1, 10_000), (int) arg(args, 2, 1_000)));
        }
        if (mode.equals("processor") || mode.equals("all")) {
            processor((int) arg(args, 1, 2_000_000), (int) arg(args, 2, 10_000));
        }
        if (mode.equals("commands") || mode.equals("all")) {
            commands(DEFAULT_BROKER, (int) arg(args, mode.equals("all") ? 9 : 1, 10_000), (int) arg(args, 2, 1_000));
        }
    }

    /** The journal's commit linger in {@code stream} (-Dlinger.ms=0 for commits without waiting). */
    private static final long LINGER_MS = Long.getLong("linger.ms",
            org.meterhub.gateway.journal.JournalSettings.DEFAULT_COMMIT_LINGER.toMillis());

    /** The tuned broker's set_tcp_nodelay: false as docs/mqtt.md asks (-Dbroker.nodelay=true to compare). */
    private static final boolean NODELAY = Boolean.parseBoolean(System.getProperty("broker.nodelay", "false"));

    private interface Run {
        void run(PrivateMosquitto broker) throws Exception;
    }

    /**
     * A private mosquitto on a free loopback port with the settings docs/mqtt.md asks for (nothing
     * dropped, Nagle on), without persistence: a benchmark's queues need not survive it.
     */
    private static void withTunedBroker(Run run) throws Exception {
        Path dir = Files.createTempDirectory("mosquitto-bench");
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir,
                PrivateMosquitto.Settings.production().withPersistence(false).withTcpNoDelay(NODELAY))) {
            System.out.println("== private mosquitto on 127.0.0.1:" + broker.port() + ": max_queued_messages 1000000, "
                    + "max_inflight_messages 1000, set_tcp_nodelay " + NODELAY);
            run.run(broker);
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static long arg(String[] a, int i, long dflt) {
        return a.length > i ? Long.parseLong(a[i]) : dflt;
    }

    static void ingest(String broker, int port, long messages, int meters) throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String gatewayId = prefix + "-gw";
        int rounds = (int) ((messages + meters - 1) / meters);
        long total = (long) rounds * meters;

        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-q", "1",
                "-t", prefix + "/+/up").redirectErrorStream(true).start();
        AtomicLong subCount = new AtomicLong();
        long[] subTimes = new long[2];
        Thread subReader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
                while (r.readLine() != null) {
                    long n = subCount.incrementAndGet();
                    long now = System.nanoTime();
                    if (n == 1) subTimes[0] = now;
                    subTimes[1] = now;
                }
            } catch (java.io.IOException ignored) {
                // the process was stopped
            }
        }, "mosquitto_sub-reader");
        subReader.start();

        AtomicLong readings = new AtomicLong();
        long[] gwTimes = new long[2];
        UplinkSettings up = UplinkSettings.defaults().withTopicPrefix(prefix).withMaxClockSkew(Duration.ofDays(3650)).withMaxBackfill(Duration.ofDays(3650));
        MqttConnectionSettings conn = MqttConnectionSettings.defaults(broker, gatewayId).withMaxInflight(1000);
        MqttGateway gateway = new MqttGateway(conn, up, r -> {
            long n = readings.incrementAndGet();
            long now = System.nanoTime();
            if (n == 1) gwTimes[0] = now;
            gwTimes[1] = now;
        }, BalanceSink.NONE, AlarmSink.NONE, Clock.systemUTC());
        gateway.start();
        if (!gateway.awaitConnected(10, TimeUnit.SECONDS)) throw new IllegalStateException("gateway cannot reach " + broker);
        Thread.sleep(500); // mosquitto_sub subscribes meanwhile

        IcCardFleet fleet = IcCardFleet.create(meters, IcFleetSettings.defaults(broker, prefix + "-sim", prefix)
                .withClients(4), Clock.fixed(T0, ZoneOffset.UTC), ZONE, 1);
        fleet.connect();
        System.out.printf("ingest: %d meters x %d rounds = %d QoS 1 uplinks through %s%n", meters, rounds, total, broker);
        // A paced first round gives the gateway every meter's seq (in service it has seen them before):
        // only then can a message the broker drops be told from one never sent.
        pacedRound(fleet, meters, readings, T0);
        long warmGw = readings.get();
        long warmSub = subCount.get();
        readings.set(0);
        subCount.set(0);
        long t0 = System.nanoTime();
        for (int r = 1; r <= rounds; r++) fleet.reportAll(T0.plus(Duration.ofMinutes(15L * r)));
        long published = System.nanoTime() - t0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long lastSeen = -1;
        while (System.nanoTime() < deadline && (readings.get() < total || subCount.get() < total)) {
            Thread.sleep(500);
            long seen = readings.get() + subCount.get();
            if (seen == lastSeen) break; // nothing moves any more: the rest was dropped
            lastSeen = seen;
        }
        double gwRate = rate(readings.get(), gwTimes);
        double subRate = rate(subCount.get(), subTimes);
        long gwMain = readings.get();
        long subMain = subCount.get();
        // A probe round, paced so the broker's queue cannot overflow: each meter's next seq makes any
        // message the broker dropped before it visible as a counted gap.
        pacedRound(fleet, meters, readings, T0.plus(Duration.ofMinutes(15L * (rounds + 1))));
        Thread.sleep(up.reorderWindow().toMillis() + 500);
        gateway.uplinks().expireHeld();
        MqttCounters c = gateway.counters();
        System.out.printf("  publishers: %d published in %.2f s (%.0f msg/s), %d waits on a full in-flight window%n",
                fleet.published(), published / 1e9, fleet.published() / (published / 1e9), fleet.publishWaits());
        System.out.printf("  gateway:        %d of %d received, %.0f msg/s%n", gwMain, total, gwRate);
        System.out.printf("  mosquitto_sub:  %d of %d received, %.0f msg/s%n", subMain, total, subRate);
        System.out.printf("  ratio gateway / mosquitto_sub: %.2f%n", subRate == 0 ? 0 : gwRate / subRate);
        System.out.printf("  burst plus a paced probe round (%d): readings %d + missed (counted seq gaps) %d = %d of %d published;"
                + " duplicates %d, rejected %d (paced warm-up round before the burst: gateway %d, mosquitto_sub %d)%n",
                meters, readings.get(), c.missedUplinks.get(), readings.get() + c.missedUplinks.get(), total + meters,
                c.duplicates.get(), c.rejectedTotal(), warmGw, warmSub);
        fleet.close();
        gateway.close();
        sub.destroy();
        sub.waitFor(5, TimeUnit.SECONDS);
        forget(broker, gatewayId);
    }

    /**
     * Sustained uplink ingest as the gateway runs it: raw QoS 1 publishers (pre-built packets, see
     * {@link RawUplinkPublisher}) feed the broker; the gateway ({@code clients} connections on a shared
     * subscription, every reading committed to a real journal, synchronous=FULL, before its PUBACK)
     * and {@code mosquitto_sub -q 1} read the same stream in the same run. The gateway's rate counts
     * readings the journal committed; both are first-to-last, sampled every 2 ms.
     */
    static void stream(String broker, int port, long messages, int meters, int clients, int commitBatch, int qos,
                       boolean withGateway, boolean withSub, int history) throws Exception {
        // Readings per uplink; batched uplinks are a day apart, so a day's hourly history never meets another day's.
        int perMsg = history + 1;
        Duration spacing = history > 0 ? Duration.ofDays(1) : Duration.ofMinutes(15);
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String gatewayId = prefix + "-gw";
        int rounds = (int) Math.max(1, messages / meters);
        long total = (long) rounds * meters;
        int publishers = 2;
        // Round 0: warm-up (every meter's first seq); 1..rounds: the burst; rounds + 1: a probe that makes
        // anything the broker dropped a counted seq gap.
        byte[][][] blocks = new byte[publishers][rounds + 2][];
        int packetId = 1;
        for (int p = 0; p < publishers; p++) {
            for (int r = 0; r <= rounds + 1; r++) {
                java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(meters / publishers * (260 + 60 * history));
                for (int m = p; m < meters; m += publishers) {
                    RawUplinkPublisher.appendUplink(b, prefix, String.format("3200%010d", m), r + 1,
                            T0.plus(spacing.multipliedBy(r)).plusSeconds(history > 0 ? 300 : 0),
                            1_000_000L + (history > 0 ? 1_000L : 37L) * r + m, packetId, qos, history);
                    packetId = packetId == 65_535 ? 1 : packetId + 1;
                }
                blocks[p][r] = b.toByteArray();
            }
        }
        long bytes = 0;
        for (byte[][] bp : blocks) for (byte[] b : bp) bytes += b.length;

        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(port), "-q", "1",
                "-t", withSub ? prefix + "/+/up" : prefix + "/none").redirectErrorStream(true).start();
        AtomicLong subCount = new AtomicLong();
        Thread subReader = new Thread(() -> {
            byte[] buf = new byte[1 << 16];
            try (java.io.InputStream in = sub.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    int lines = 0;
                    for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
                    subCount.addAndGet(lines);
                }
            } catch (java.io.IOException ignored) {
                // the process was stopped
            }
        }, "mosquitto_sub-reader");
        subReader.start();

        Path dir = Files.createTempDirectory("meterhub-stream");
        org.meterhub.gateway.journal.JournalSettings js = new org.meterhub.gateway.journal.JournalSettings(
                dir.resolve("journal.db"), 8L << 30, 80, 16, Math.max(65_536, commitBatch * 4), commitBatch,
                org.meterhub.gateway.journal.JournalSettings.Durability.FULL, Duration.ofMillis(LINGER_MS));
        try (org.meterhub.gateway.journal.Journal journal = org.meterhub.gateway.journal.Journal.open(js,
                org.meterhub.gateway.journal.JournalListener.NONE)) {
            UplinkSettings up = UplinkSettings.defaults().withTopicPrefix(prefix).withMaxClockSkew(Duration.ofDays(3650)).withMaxBackfill(Duration.ofDays(3650))
                    .withReorderWindow(Duration.ZERO);
            MqttConnectionSettings conn = MqttConnectionSettings.defaults(broker, gatewayId).withMaxInflight(1000);
            // As mqtt-gateway runs it: each uplink's identity (meter + seq) is journalled with its readings.
            MqttGateway gateway = new MqttGateway(conn, withGateway ? up : up.withTopicPrefix(prefix + "-none"),
                    org.meterhub.gateway.mqtt.DurableReadingSink.of(journal), BalanceSink.NONE, AlarmSink.NONE,
                    Clock.systemUTC(), clients);
            gateway.start();
            if (!gateway.awaitConnected(10, TimeUnit.SECONDS)) throw new IllegalStateException("gateway cannot reach " + broker);
            Thread.sleep(500); // mosquitto_sub subscribes meanwhile
            MqttCounters c = gateway.counters();
            RawUplinkPublisher[] pubs = new RawUplinkPublisher[publishers];
            for (int p = 0; p < publishers; p++) pubs[p] = new RawUplinkPublisher("127.0.0.1", port, prefix + "-pub" + p);
            System.out.printf("stream: %d meters x %d rounds = %d QoS 1 uplinks (%.1f MB of packets), %d reading(s) each,"
                    + " %d raw publishers, gateway: %d connection(s)%s, journal synchronous=FULL, group commit up to %d after"
                    + " %d ms, publish QoS %d%n", meters, rounds, total, bytes / 1e6, perMsg, publishers, clients,
                    clients > 1 ? " on $share" : "", commitBatch, LINGER_MS, qos);
            for (int p = 0; p < publishers; p++) pubs[p].write(blocks[p][0]);
            if (withGateway) awaitCount(c.journaled, (long) meters * perMsg, 60);
            if (withSub) awaitCount(subCount, meters, 60);
            long gw0 = c.journaled.get();
            long sub0 = subCount.get();
            long commits0 = journal.stats().commits();
            Sampler gwS = new Sampler(c.journaled, gw0);
            Sampler subS = new Sampler(subCount, sub0);
            AtomicLong maxOutstanding = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long now = System.nanoTime();
                    gwS.sample(now);
                    subS.sample(now);
                    // received but neither journalled nor settled otherwise: what waits for the disk
                    long out = c.received.get() - c.journaled.get() / perMsg - c.duplicates.get() - c.rejectedTotal()
                            - c.refused.get() / perMsg;
                    if (out > maxOutstanding.get()) maxOutstanding.set(out);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sampler");
            sampler.setDaemon(true);
            sampler.start();
            long t0 = System.nanoTime();
            Thread[] writers = new Thread[publishers];
            for (int p = 0; p < publishers; p++) {
                final int pp = p;
                writers[p] = new Thread(() -> {
                    try {
                        for (int r = 1; r <= rounds; r++) pubs[pp].write(blocks[pp][r]);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, "raw-publisher-" + p);
                writers[p].start();
            }
            for (Thread w : writers) w.join();
            long written = System.nanoTime() - t0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            long lastSeen = -1;
            long stillSince = System.nanoTime();
            while (System.nanoTime() < deadline && ((withGateway && c.journaled.get() < gw0 + total * perMsg)
                    || (withSub && subCount.get() < sub0 + total))) {
                Thread.sleep(100);
                long seen = c.journaled.get() + subCount.get();
                if (seen != lastSeen) {
                    lastSeen = seen;
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince > TimeUnit.SECONDS.toNanos(3)) {
                    break; // nothing moves any more: the rest was dropped
                }
            }
            long pubAcked = 0;
            for (RawUplinkPublisher p : pubs) pubAcked += p.acked();
            sampler.interrupt();
            sampler.join();
            long gwMain = c.journaled.get() - gw0;
            long subMain = subCount.get() - sub0;
            long commits = journal.stats().commits() - commits0;
            double gwRate = gwS.rate();
            double subRate = subS.rate();
            for (int p = 0; p < publishers; p++) pubs[p].write(blocks[p][rounds + 1]);
            if (withGateway) awaitCount(c.received, c.received.get() + meters - 1, 30);
            Thread.sleep(500);
            System.out.printf("  publishers: %d written in %.2f s (%.0f msg/s into the broker's socket), %d PUBACKs%n",
                    total, written / 1e9, total / (written / 1e9), qos == 1 ? pubAcked - meters : 0);
            if (withGateway && perMsg == 1) System.out.printf("  gateway (readings journalled, FULL fsync): %d of %d, %.0f msg/s; %d commits, %.0f readings per commit%n",
                    gwMain, total, gwRate, commits, commits == 0 ? 0.0 : (double) gwMain / commits);
            if (withGateway && perMsg > 1) System.out.printf("  gateway (readings journalled, FULL fsync): %d of %d readings, %.0f readings/s"
                    + " = %.0f uplinks/s; %d commits, %.0f readings per commit%n", gwMain, total * perMsg, gwRate,
                    gwRate / perMsg, commits, commits == 0 ? 0.0 : (double) gwMain / commits);
            if (withSub) System.out.printf("  mosquitto_sub -q 1:                         %d of %d, %.0f msg/s%n", subMain, total, subRate);
            if (withGateway && withSub) System.out.printf("  ratio gateway uplinks / mosquitto_sub messages: %.2f%n",
                    subRate == 0 ? 0 : gwRate / perMsg / subRate);
            if (withGateway) System.out.printf("  most uplinks waiting for the journal at once: %d%n", maxOutstanding.get());
            if (withGateway) System.out.printf("  with the probe round: journalled %d + missed (counted seq gaps) %d = %d of %d published;"
                    + " duplicates %d, late %d, rejected %d (history entries %d), refused %d%n", c.journaled.get() / perMsg,
                    c.missedUplinks.get(), c.journaled.get() / perMsg + c.missedUplinks.get(), total + 2L * meters,
                    c.duplicates.get(), c.late.get(), c.rejectedTotal(), c.rejectedEntriesTotal(), c.refused.get() / perMsg);
            for (RawUplinkPublisher p : pubs) p.close();
            gateway.close();
        } finally {
            sub.destroy();
            sub.waitFor(5, TimeUnit.SECONDS);
            forget(broker, gatewayId);
            for (int i = 1; i < clients; i++) forget(broker, gatewayId + "-" + i);
        }
    }

    /** First-to-last rate of a counter from 2 ms samples: from its first move past the base to its last move. */
    private static final class Sampler {
        private final AtomicLong counter;
        private long last;
        private long firstT = -1, firstN, lastT, lastN;

        Sampler(AtomicLong counter, long base) {
            this.counter = counter;
            this.last = base;
        }

        void sample(long now) {
            long n = counter.get();
            if (n == last) return;
            if (firstT < 0) {
                firstT = now;
                firstN = n;
            }
            lastT = now;
            lastN = n;
            last = n;
        }

        double rate() {
            return lastT <= firstT ? 0 : (lastN - firstN) / ((lastT - firstT) / 1e9);
        }
    }

    private static void awaitCount(AtomicLong counter, long want, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (counter.get() < want && System.nanoTime() < deadline) Thread.sleep(5);
    }

    /** The gateway's own cost per uplink (parse, validate, dedupe, order, Reading), without a broker. */
    static void processor(int messages, int meters) {
        UplinkSettings up = UplinkSettings.defaults().withMaxClockSkew(Duration.ofDays(3650)).withMaxBackfill(Duration.ofDays(3650));
        AtomicLong out = new AtomicLong();
        org.meterhub.gateway.mqtt.UplinkProcessor p = new org.meterhub.gateway.mqtt.UplinkProcessor(up,
                r -> out.incrementAndGet(), BalanceSink.NONE, AlarmSink.NONE, Clock.systemUTC(), new MqttCounters());
        IcCardFleet fleet = IcCardFleet.create(meters, IcFleetSettings.defaults(DEFAULT_BROKER, "unused", "meters"),
                Clock.fixed(T0, ZoneOffset.UTC), ZONE, 3);
        int rounds = Math.max(2, messages / meters);
        byte[][] payloads = new byte[meters * rounds][];
        String[] topics = new String[meters];
        for (int i = 0; i < meters; i++) topics[i] = "meters/" + fleet.meters().get(i).id() + "/up";
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < meters; i++) payloads[r * meters + i] = fleet.meters().get(i).report(T0.plus(Duration.ofMinutes(15L * (r + 1)))).get(0);
        }
        for (int pass = 0; pass < 2; pass++) { // the first pass warms the JIT up; the second is measured
            org.meterhub.gateway.mqtt.UplinkProcessor q = pass == 0 ? new org.meterhub.gateway.mqtt.UplinkProcessor(up,
                    r -> { }, BalanceSink.NONE, AlarmSink.NONE, Clock.systemUTC(), new MqttCounters()) : p;
            long t0 = System.nanoTime();
            for (int k = 0; k < payloads.length; k++) q.onMessage(topics[k % meters], payloads[k]);
            long ns = System.nanoTime() - t0;
            if (pass == 1) {
                System.out.printf("processor: %d uplinks of %d meters on one thread: %.0f msg/s (%.2f us each), %d readings%n",
                        payloads.length, meters, payloads.length / (ns / 1e9), ns / 1e3 / payloads.length, out.get());
            }
        }
    }

    /** One report per meter, 200 meters at a time, waiting for the gateway so the broker's queue cannot overflow. */
    private static void pacedRound(IcCardFleet fleet, int meters, AtomicLong readings, Instant at) throws InterruptedException {
        long base = readings.get();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // the whole round, however the broker behaves
        for (int from = 0; from < meters; from += 200) {
            fleet.reportRange(from, from + 200, at);
            long want = base + Math.min(meters, from + 200) - 100;
            while (readings.get() < want && System.nanoTime() < until) Thread.sleep(1);
        }
        while (readings.get() < base + meters && System.nanoTime() < until) Thread.sleep(1);
    }

    private static double rate(long n, long[] times) {
        return n < 2 ? 0 : (n - 1) / ((times[1] - times[0]) / 1e9);
    }

    static void commands(String broker, int meters, int perSecond) throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String gatewayId = prefix + "-gw";
        Path dir = Files.createTempDirectory("meterhub-bench");
        IcCardFleet fleet = IcCardFleet.create(meters, IcFleetSettings.defaults(broker, prefix + "-sim", prefix)
                .withClients(4), Clock.fixed(T0, ZoneOffset.UTC), ZONE, 2);
        fleet.connect();
        try (CommandStore store = new CommandStore(dir.resolve("commands.db"))) {
            MqttGateway[] gw = new MqttGateway[1];
            CommandService commands = new CommandService(store, (t, p) -> gw[0].publisher().publish(t, p), AlarmSink.NONE,
                    CommandSettings.defaults().withTopicPrefix(prefix), Clock.systemUTC());
            MqttGateway gateway = new MqttGateway(MqttConnectionSettings.defaults(broker, gatewayId),
                    UplinkSettings.defaults().withTopicPrefix(prefix), r -> { }, BalanceSink.NONE, AlarmSink.NONE,
                    Clock.systemUTC());
            gw[0] = gateway;
            gateway.subscribe(commands.ackSubscription(), commands);
            gateway.start();
            if (!gateway.awaitConnected(10, TimeUnit.SECONDS)) throw new IllegalStateException("gateway cannot reach " + broker);
            commands.start(gateway.scheduler());
            System.out.printf("commands: %d meters, one credit each at %d/s, command log in SQLite%n", meters, perSecond);
            long intervalNanos = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            for (int i = 0; i < meters; i++) {
                while (System.nanoTime() < next) Thread.onSpinWait();
                next += intervalNanos;
                String meter = fleet.meters().get(i).id();
                commands.submit(commands.command("b-" + i, meter, CommandType.CREDIT, new BigDecimal("10"), BalanceUnit.M3));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (commands.stats().acked.get() < meters && System.nanoTime() < deadline) Thread.sleep(100);
            Histogram h = commands.stats().roundTripMicros.getIntervalHistogram();
            System.out.printf("  acked %d of %d, resends %d%n", commands.stats().acked.get(), meters, commands.stats().resends.get());
            System.out.printf("  round trip (store, publish, broker, meter, ack, store): p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
            commands.close();
            gateway.close();
        } finally {
            fleet.close();
            forget(broker, gatewayId);
        }
    }

    private static void forget(String broker, String clientId) throws Exception {
        MqttClient c = new MqttClient(broker, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        c.disconnect();
        c.close();
    }
}
