package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * Simulated gas meters behind simulated DTUs, living in the test JVM so that they (and their
 * ground truth) outlive any gateway process the test kills.
 */
final class SimulatedField implements AutoCloseable {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    final SimClock clock;
    final Cjt188Fleet fleet;
    final MeterStore store;
    private final EventLoopGroup group = new NioEventLoopGroup(1);

    SimulatedField(int meters, int dtus, long speed, MeterStore store, long seed) {
        this.store = store;
        this.clock = new SimClock(Instant.now().truncatedTo(ChronoUnit.MINUTES), speed);
        this.fleet = Cjt188Fleet.create(meters, dtus, clock, ZONE, WireModel.instant(), Duration.ofSeconds(20), seed);
        for (SimulatedCjt188Meter m : fleet.meters()) {
            store.registerMeter(new MeterInfo(m.address().digits(), Medium.GAS, m.initialRegisterL(), clock.start(),
                    MeterInfo.CJT188_CAPACITY_L));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A gateway YAML that polls these meters and forwards to an MQTT broker. */
    Path gatewayConfig(Path dir, int dtuPort, int brokerPort, String topicPrefix, String gatewayId) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("zone: ").append(ZONE).append('\n');
        y.append("dtu:\n  listen: 127.0.0.1:").append(dtuPort).append('\n');
        // Meter clocks run on simulated time, far ahead of the gateway's: trust them all the same.
        // Every simulated meter answers: the long timeout only bounds a reply a loaded machine is slow to deliver.
        y.append("poll:\n  interval: 300ms\n  jitter: 50ms\n  timeout: 30s\n  retry-backoff: 50ms\n  max-clock-skew: 3650d\n");
        y.append("journal:\n  path: ").append(dir.resolve("journal-" + gatewayId + ".db")).append('\n');
        y.append("  partitions: 4\n  forward-to: mqtt://127.0.0.1:").append(brokerPort).append('\n');
        y.append("  gateway-id: ").append(gatewayId).append("\n  batch-size: 200\n  ack-timeout: 2s\n");
        y.append("  topic-prefix: ").append(topicPrefix).append('\n');
        y.append("buses:\n");
        for (SimulatedDtu d : fleet.dtus()) {
            y.append("  - dtu: ").append(d.id()).append("\n    meters:\n");
            for (SimulatedCjt188Meter m : d.meters()) y.append("      - id: \"").append(m.address().digits()).append("\"\n");
        }
        Path file = dir.resolve("gateway-" + gatewayId + ".yaml");
        Files.writeString(file, y);
        return file;
    }

    /** A single-box gateway YAML (engine in this process) polling these meters; {@code extra} is appended as is. */
    Path singleBoxConfig(Path dir, int dtuPort, String journalPath, String extra) throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("zone: ").append(ZONE).append('\n');
        y.append("dtu:\n  listen: 127.0.0.1:").append(dtuPort).append('\n');
        // A generous timeout (every simulated meter answers; on a machine with a load average of 30 a reply can take
        // seconds): a reply that comes after it is dropped by design, and the tests compare replies with the store.
        y.append("poll:\n  interval: 300ms\n  jitter: 50ms\n  timeout: 30s\n  retry-backoff: 50ms\n  max-clock-skew: 3650d\n");
        y.append("journal:\n  path: ").append(journalPath).append("\n  partitions: 4\n  batch-size: 200\n");
        y.append(extra);
        y.append("buses:\n");
        for (SimulatedDtu d : fleet.dtus()) {
            y.append("  - dtu: ").append(d.id()).append("\n    meters:\n");
            for (SimulatedCjt188Meter m : d.meters()) y.append("      - id: \"").append(m.address().digits()).append("\"\n");
        }
        Path file = dir.resolve("gateway-single.yaml");
        Files.writeString(file, y);
        return file;
    }

    /** Every meter keeps its clean replies from now on ({@link #assertEveryAnswerStoredOnce}). */
    void recordAnswers() {
        fleet.meters().forEach(SimulatedCjt188Meter::recordAnswers);
    }

    /**
     * Every clean reply a meter sent is a stored reading (same meter time, same register), and the
     * store holds no reading no meter sent: nothing read and discarded, nothing doubled.
     *
     * @return the number of distinct replies compared
     */
    long assertEveryAnswerStoredOnce() {
        Instant from = clock.start().minus(1, ChronoUnit.HOURS);
        Instant to = clock.instant().plus(1, ChronoUnit.DAYS);
        long compared = 0;
        for (SimulatedCjt188Meter m : fleet.meters()) {
            String id = m.address().digits();
            java.util.Set<String> answered = new java.util.TreeSet<>();
            for (SimulatedCjt188Meter.Answer a : m.answers()) answered.add(a.meterTime() + " " + a.registerL());
            List<Reading> stored = store.readings(id, from, to);
            java.util.List<String> storedKeys = new ArrayList<>();
            for (Reading r : stored) storedKeys.add(r.time() + " " + r.volumeL());
            assertThat(storedKeys).as("meter %s: stored readings are distinct", id).doesNotHaveDuplicates();
            assertThat(new java.util.TreeSet<>(storedKeys)).as("meter %s: stored readings = the meter's clean replies", id)
                    .isEqualTo(answered);
            compared += answered.size();
        }
        assertThat(compared).as("the meters answered, so the comparison means something").isPositive();
        return compared;
    }

    Path journalOf(Path dir, String gatewayId) {
        return dir.resolve("journal-" + gatewayId + ".db");
    }

    void connect(int dtuPort) throws InterruptedException {
        List<ChannelFuture> dials = fleet.connectAll(group, new InetSocketAddress("127.0.0.1", dtuPort));
        for (ChannelFuture f : dials) f.await(5, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + 300_000_000_000L; // the DTU learns its channel in a listener, just after
        while (fleet.dtus().stream().anyMatch(d -> !d.isConnected()) && System.nanoTime() < deadline) Thread.sleep(20);
        for (SimulatedDtu d : fleet.dtus()) assertThat(d.isConnected()).as(d.id() + " dialled in").isTrue();
    }

    /** Current-data reads every meter answered so far (each is a reading the gateway journals). */
    long readsAnswered() {
        return fleet.meters().stream().mapToLong(SimulatedCjt188Meter::currentDataReads).sum();
    }

    /** Waits until the gateway has polled {@code more} further readings from the meters than {@code since}. */
    void awaitReads(long since, long more, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (readsAnswered() < since + more) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the meters answered " + (readsAnswered() - since) + " reads within " + max
                        + ", not " + more);
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the store holds at least {@code n} readings. */
    void awaitStored(long n, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (store.readingCount() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the store holds " + store.readingCount() + " readings after " + max + ", not " + n);
            }
            Thread.sleep(50);
        }
    }

    void disconnect() {
        fleet.disconnectAll();
    }

    /**
     * Stops simulated time, then waits until the store holds each meter's final register: the
     * gateway keeps polling, and the frozen meters keep answering the same reading.
     */
    void freezeAndAwaitFinalReadings(Duration max) throws InterruptedException {
        clock.freeze();
        long deadline = System.nanoTime() + max.toNanos();
        List<String> behind = List.of();
        while (System.nanoTime() < deadline) {
            behind = metersBehind();
            if (behind.isEmpty()) return;
            Thread.sleep(200);
        }
        throw new AssertionError("the store did not catch up within " + max + " for " + behind.size() + " meters, e.g. "
                + behind.get(0));
    }

    private List<String> metersBehind() {
        List<String> out = new ArrayList<>();
        for (SimulatedCjt188Meter m : fleet.meters()) {
            Optional<Reading> last = store.lastReading(m.address().digits());
            if (last.isEmpty() || last.get().volumeL() != m.registerL()) {
                out.add(m.address().digits() + " (store " + last.map(Reading::volumeL).orElse(-1L) + " L, meter "
                        + m.registerL() + " L)");
            }
        }
        return out;
    }

    /**
     * Zero lost, zero doubled: each meter's stored consumption adds up to exactly what the
     * simulator delivered, and its readings climb with time (no foreign or repeated values).
     */
    void assertStoreEqualsGroundTruth() {
        Instant from = clock.start().minus(1, ChronoUnit.HOURS);
        Instant to = clock.instant().plus(1, ChronoUnit.DAYS);
        long totalDelivered = 0;
        for (SimulatedCjt188Meter m : fleet.meters()) {
            String id = m.address().digits();
            long consumed = store.intervals(id, from, to).stream().mapToLong(ConsumptionInterval::volumeL).sum();
            assertThat(consumed).as("meter %s: stored consumption vs simulator", id).isEqualTo(m.deliveredLitres());
            List<Reading> rs = store.readings(id, from, to);
            assertThat(rs).as("meter %s readings", id).isNotEmpty();
            for (int i = 1; i < rs.size(); i++) {
                assertThat(rs.get(i).volumeL()).as("meter %s register never goes back", id)
                        .isGreaterThanOrEqualTo(rs.get(i - 1).volumeL());
            }
            totalDelivered += m.deliveredLitres();
        }
        assertThat(totalDelivered).as("the meters used gas, so the comparison means something").isPositive();
    }

    @Override
    public void close() {
        fleet.disconnectAll();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
