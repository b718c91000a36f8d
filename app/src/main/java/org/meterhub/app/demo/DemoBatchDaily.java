package org.meterhub.app.demo;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.intake.BatchCommitter;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.BalanceSink;
import org.meterhub.engine.query.Bucket;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.gateway.forward.Forwarder;
import org.meterhub.gateway.forward.ForwarderSettings;
import org.meterhub.gateway.forward.LocalBatchTransport;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalListener;
import org.meterhub.gateway.journal.JournalSettings;
import org.meterhub.gateway.mqtt.DurableReadingSink;
import org.meterhub.gateway.mqtt.MqttConnectionSettings;
import org.meterhub.gateway.mqtt.MqttCounters;
import org.meterhub.gateway.mqtt.MqttGateway;
import org.meterhub.gateway.mqtt.UplinkProcessor;
import org.meterhub.gateway.mqtt.UplinkSettings;
import org.meterhub.simulators.clock.HandClock;
import org.meterhub.simulators.mqtt.IcCardFleet;
import org.meterhub.simulators.mqtt.IcCardMeter;
import org.meterhub.simulators.mqtt.IcFleetSettings;
import org.meterhub.simulators.mqtt.PrivateMosquitto;

/**
 * The demo's NB-IoT part: daily-batch meters ({@code mqtt-sim --batch-daily}: a day of hourly frozen registers
 * in one uplink, some a day late, some with a clock 40 days behind) go through the gateway's MQTT uplink
 * processing, its journal and the engine into the demo's store, and every stored hour is compared with what the
 * meter's register counted in that hour.
 *
 * <p>With a {@code mosquitto} binary on the machine the uplinks go through a private broker started for the run
 * (the real path, as in production). Without one the same JSON is handed to the gateway's
 * {@link UplinkProcessor} in-process, which is everything after the broker; the demo says which it used.
 * The days are simulated ones just before the gas demo's start, so no real waiting is involved.
 */
final class DemoBatchDaily {
    private static final String TOPIC_PREFIX = "meterhub-demo";

    /** What was compared: hours equal of hours checked, and the first differences. */
    record Result(int meters, int days, int equal, int hours, long litres, List<String> differ, String path, Path truth) { }

    private DemoBatchDaily() {
    }

    /**
     * @param before    the simulated days end an hour before this instant
     * @param tryBroker false takes the in-process path even where a broker binary exists (its test)
     */
    static Result run(MeterStore store, String storeUrl, Instant before, ZoneId zone, int meters, int days, long seed,
                      boolean tryBroker) throws Exception {
        return run(store, storeUrl, before, IngestRules.Options.defaults().withZone(zone), meters, days, seed, tryBroker);
    }

    /** With the engine's rule settings of the demo's file ({@code GatewayConfig#ruleOptions()}): its zone, vee, leak, .... */
    static Result run(MeterStore store, String storeUrl, Instant before, IngestRules.Options rules, int meters, int days,
                      long seed, boolean tryBroker) throws Exception {
        ZoneId zone = rules.zone();
        Instant t0 = before.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(days)).minus(Duration.ofHours(1));
        // New meter numbers for each start hour: a later demo run on the same store adds meters instead of
        // rewinding the registers of earlier ones; a rerun in the same hour repeats identical readings (idempotent).
        long base = 7_700_000_000_000L + (t0.getEpochSecond() / 3600 % 10_000_000L) * 100 + 1;
        Path work = Files.createTempDirectory("meterhub-demo-batch");
        try {
            PrivateMosquitto broker = tryBroker ? brokerOrNull(work.resolve("broker")) : null;
            String uri = broker != null ? broker.uri() : "tcp://127.0.0.1:1"; // unused without a broker
            // The engine judges on the gateway's clock, which stands at each simulated upload.
            HandClock clock = new HandClock(t0);
            try (broker;
                 Journal journal = Journal.open(JournalSettings.defaults(work.resolve("journal.db")), JournalListener.NONE);
                 IcCardFleet fleet = IcCardFleet.create(meters, IcFleetSettings.defaults(uri, "demo-nbiot", TOPIC_PREFIX)
                         .withMeterBase(base).withClients(1), Clock.fixed(t0, ZoneOffset.UTC), zone, seed, i -> Set.of());
                 Forwarder forwarder = new Forwarder(journal, new LocalBatchTransport(new BatchCommitter(
                         () -> IngestPipeline.withRules(store, IngestRules.forStore(storeUrl, AlarmSink.none(), clock, rules)))),
                         new ForwarderSettings("demo", 3, Duration.ofSeconds(1), Duration.ofSeconds(2)), Clock.systemUTC())
                         .start()) {
                fleet.batchDaily();
                UplinkSettings up = UplinkSettings.defaults().withTopicPrefix(TOPIC_PREFIX).withReorderWindow(Duration.ZERO);
                String path;
                if (broker != null) {
                    path = "through a private Mosquitto on 127.0.0.1:" + broker.port();
                    viaBroker(fleet, broker, up, DurableReadingSink.of(journal), clock, t0, days);
                } else {
                    path = "in-process: no mosquitto binary found, the uplink JSON went straight to the gateway's"
                            + " UplinkProcessor (apt-get install mosquitto for the broker path)";
                    inProcess(fleet, up, DurableReadingSink.of(journal), clock, t0, days);
                }
                if (!forwarder.awaitDrained(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("the journal did not drain into the store within 60 s");
                }
                return compare(fleet, storeUrl, t0, days, path);
            }
        } finally {
            deleteTree(work);
        }
    }

    private static PrivateMosquitto brokerOrNull(Path dir) throws IOException, InterruptedException {
        try {
            return PrivateMosquitto.start(dir, PrivateMosquitto.Settings.production().withPersistence(false));
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("binary")) return null; // no broker here: the in-process path
            throw e;
        }
    }

    private static void viaBroker(IcCardFleet fleet, PrivateMosquitto broker, UplinkSettings up, DurableReadingSink sink,
                                  HandClock clock, Instant t0, int days) throws Exception {
        fleet.connect();
        try (MqttGateway gateway = new MqttGateway(MqttConnectionSettings.defaults(broker.uri(), "meterhub-demo-gateway"),
                up, sink, BalanceSink.NONE, org.meterhub.gateway.mqtt.AlarmSink.NONE, clock, 1)) {
            gateway.start();
            if (!gateway.awaitConnected(60, TimeUnit.SECONDS)) throw new IllegalStateException("gateway did not connect to " + broker.uri());
            MqttCounters c = gateway.counters();
            long readings = 0;
            for (int day = 1; day <= days; day++) {
                Instant upload = uploadTime(t0, day);
                clock.set(upload);
                fleet.reportAll(upload);
                readings += expectedReadings(fleet, day);
                long expected = readings;
                await("day " + day + " journalled", () -> c.journaled.get() + c.rejectedTotal() >= expected);
            }
        }
    }

    private static void inProcess(IcCardFleet fleet, UplinkSettings up, DurableReadingSink sink, HandClock clock,
                                  Instant t0, int days) {
        UplinkProcessor uplinks = new UplinkProcessor(up, BalanceSink.NONE, org.meterhub.gateway.mqtt.AlarmSink.NONE,
                clock, new MqttCounters(), sink);
        for (int day = 1; day <= days; day++) {
            Instant upload = uploadTime(t0, day);
            clock.set(upload);
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            for (IcCardMeter m : fleet.meters()) {
                for (byte[] payload : m.report(upload)) durable.add(uplinks.onMessage(TOPIC_PREFIX + "/" + m.id() + "/up", payload));
            }
            CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        }
    }

    /** Uploads five minutes after each simulated midnight (UTC), as in {@code MqttBatchDailyFleetTest}. */
    private static Instant uploadTime(Instant t0, int day) {
        return t0.plus(Duration.ofDays(day)).plusSeconds(300);
    }

    /**
     * Readings the fleet's uploads of {@code day} carry: 24 hours and the meter's own reading; a day-late meter
     * uploads on odd days only, the first time one day, afterwards two (IcCardMeter's schedule).
     */
    private static long expectedReadings(IcCardFleet fleet, int day) {
        long n = 0;
        for (IcCardMeter m : fleet.meters()) {
            if (m.batchKind() != IcCardMeter.BatchKind.DAY_LATE) n += 25;
            else if (day % 2 == 1) n += (day == 1 ? 24 : 48) + 1;
        }
        return n;
    }

    /**
     * Each meter's stored hourly consumption (the effective intervals, corrections included) against its frozen
     * registers' differences, hour by hour, from its first frozen register to its last uploaded one.
     */
    private static Result compare(IcCardFleet fleet, String storeUrl, Instant t0, int days, String path) throws IOException {
        Path truth = Path.of("data", "demo-hourly-truth.csv");
        Files.createDirectories(truth.getParent());
        try (Writer w = Files.newBufferedWriter(truth, StandardCharsets.UTF_8)) {
            fleet.writeHourlyTruth(w);
        }
        Instant from = t0.plus(Duration.ofHours(1));
        Instant to = t0.plus(Duration.ofDays(days));
        List<String> differ = new ArrayList<>();
        int hours = 0;
        int equal = 0;
        long litres = 0;
        try (SqlDatabase db = SqlDatabase.open(storeUrl)) {
            JdbcCorrectionRepository corrections = new JdbcCorrectionRepository(db);
            for (IcCardMeter m : fleet.meters()) {
                List<ConsumptionInterval> effective = corrections.effective(m.id(), from.minus(Duration.ofDays(1)),
                        to.plus(Duration.ofDays(1)));
                List<Bucket> stored = ConsumptionQuery.series(effective, from, to, Step.HOUR, ZoneOffset.UTC);
                List<long[]> registers = m.hourlyRegisters();
                for (int i = 0; i + 1 < registers.size() && Instant.ofEpochMilli(registers.get(i)[0]).isBefore(to); i++) {
                    Instant start = Instant.ofEpochMilli(registers.get(i)[0]);
                    if (start.isBefore(from)) continue;
                    long counted = registers.get(i + 1)[1] - registers.get(i)[1];
                    long got = stored.stream().filter(b -> b.start().equals(start)).mapToLong(Bucket::volumeL).sum();
                    hours++;
                    litres += counted;
                    if (got == counted) equal++;
                    else differ.add(m.id() + " (" + m.batchKind() + ") " + start + ": stored " + got + " L, register " + counted + " L");
                }
            }
        }
        return new Result(fleet.meters().size(), days, equal, hours, litres, differ, path, truth);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting: " + what);
            Thread.sleep(20);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
