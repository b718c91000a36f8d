package org.meterhub.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.read.AdminServer;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.gateway.clock.ClockGuard;
import org.meterhub.gateway.clock.ClockTrust;
import org.meterhub.gateway.clock.SyncProbe;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.MeterFault;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * Issue 21, "which clock is wrong", end to end: a single box whose clock shows 2000-01-01 (flat RTC battery, no
 * network time) polls CJ/T 188 meters with correct clocks behind a simulated DTU into a SQLite store. Nothing is
 * stored before the meters' own time, the status and the health endpoint say the clock is not trusted; then the
 * clock is stepped to the truth, and an hour back: no negative interval, no duplicate, no gap.
 */
class GatewayClockTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final List<String> CLOCKED = List.of("30000000000001", "30000000000002", "30000000000003", "30000000000004");
    /** Its clock reads all zeros: it has no usable clock of its own. */
    static final String UNCLOCKED = "30000000000005";
    static final Duration SKEW = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    /** The gateway's wall clock: the real time shifted by an offset a test can change (a step). */
    static final class ShiftedClock extends Clock {
        private volatile Duration offset;

        ShiftedClock(Duration offset) {
            this.offset = offset;
        }

        void step(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aGatewayAt2000TrustsMetersThatAgreeThenStepsToTheTruthAndAnHourBackWithoutNegativeIntervalOrDuplicate()
            throws Exception {
        Instant start = Instant.now();
        Clock truth = Clock.systemUTC(); // the meters' clocks are right
        ShiftedClock gatewayClock = new ShiftedClock(Duration.between(start, Instant.parse("2000-01-01T00:00:00Z")));
        List<SimulatedCjt188Meter> meters = new ArrayList<>();
        for (String id : CLOCKED) {
            meters.add(SimulatedCjt188Meter.gas(MeterAddress.of(id), 1_000_000, truth, ZONE, new UsageProfile(800, false), id.hashCode()));
        }
        SimulatedCjt188Meter unclocked = SimulatedCjt188Meter.gas(MeterAddress.of(UNCLOCKED), 2_000_000, truth, ZONE,
                new UsageProfile(800, false), 5);
        unclocked.inject(MeterFault.CLOCK_ZERO, 1.0);
        meters.add(unclocked);
        String yaml = """
                dtu:
                  listen: 127.0.0.1:0
                poll:
                  interval: 1s
                  jitter: 0s
                  first-poll-spread: 0s
                  timeout: 30s
                  inter-frame-delay: 2ms
                  retry-backoff: 20ms
                journal:
                  path: %s
                clock:
                  not-before: %s
                  sync-marker: none
                buses:
                  - dtu: DTU-A
                    meters:
                      - id: "30000000000001"
                      - id: "30000000000002"
                      - id: "30000000000003"
                      - id: "30000000000004"
                      - id: "30000000000005"
                """.formatted(dir.resolve("journal.db"), start.minus(Duration.ofDays(30)).toString().substring(0, 10));
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
        ClockTrust trust = new ClockTrust(cfg.clock().settings(cfg.poll().maxClockSkew()), gatewayClock, System::nanoTime,
                SyncProbe.fixed(SyncProbe.Sync.UNKNOWN), null);
        assertThat(trust.trusted()).isFalse();
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        try (MeterStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("mh.db"));
             SingleBox box = new SingleBox(cfg, store, IngestRules.inMemory(AlarmSink.none()), trust,
                     SingleBox.pollSettings(cfg.poll()), 1)) {
            ClockGuard guard = box.clockGuard().orElseThrow();
            InetSocketAddress at = box.start();
            new SimulatedDtu("DTU-A", meters, WireModel.instant(), Duration.ofSeconds(20), 7).connect(simGroup, at)
                    .syncUninterruptibly();

            // 1. the gateway shows 2000-01-01: the four meters that agree are the time
            await(() -> everyMeterHas(store, 3));
            Instant afterFirst = Instant.now();
            for (String id : allMeters()) {
                for (Reading r : stored(store, id)) {
                    assertThat(r.time()).as("meter %s", id).isBetween(start.minus(SKEW), afterFirst.plus(SKEW));
                    assertThat(r.receivedAt()).as("meter %s received", id).isBetween(start.minus(SKEW), afterFirst.plus(SKEW));
                    assertThat(r.flags()).doesNotContain(ReadingFlag.CLOCK_SKEW);
                }
            }
            assertThat(guard.statusText()).isEqualTo("clock: UNTRUSTED (behind meters by 26y)");
            try (AdminServer admin = AdminServer.start("127.0.0.1", 0, box::readNow, Duration.ofSeconds(5),
                    new Health(box.storeHealth(), box.journal(), guard))) {
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.address().getPort() + "/api/v1/health")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("\"status\":\"DEGRADED\"").contains("\"trusted\":false")
                        .contains("clock: UNTRUSTED (behind meters by 26y)");
            }

            // 2. network time arrives: the clock steps 26 years forward to the truth
            gatewayClock.step(Duration.between(gatewayClock.instant(), Instant.now()));
            int before = count(store);
            await(() -> trust.trusted() && count(store) >= before + 3 * allMeters().size());
            assertThat(guard.statusText()).isEqualTo("clock: plausible, sync unknown");

            // 3. a correction an hour back (not synchronised): the clock is behind the newest reading, the meters win
            gatewayClock.step(Duration.ofHours(-1));
            int before2 = count(store);
            await(() -> count(store) >= before2 + 3 * allMeters().size());
            assertThat(trust.trusted()).isFalse();
            // the meters' clocks tick in whole seconds: their median is up to a second behind the truth
            assertThat(guard.statusText()).matches("clock: UNTRUSTED \\(behind meters by (59m|1h)\\)");
            box.finish(Duration.ofMinutes(5));

            Instant end = Instant.now();
            for (String id : allMeters()) {
                List<Reading> rs = stored(store, id);
                assertThat(rs).as("meter %s", id).hasSizeGreaterThanOrEqualTo(9);
                for (int i = 1; i < rs.size(); i++) {
                    assertThat(rs.get(i).time()).as("meter %s reading %d", id, i).isAfter(rs.get(i - 1).time());
                    assertThat(rs.get(i).volumeL()).isGreaterThanOrEqualTo(rs.get(i - 1).volumeL());
                }
                assertThat(rs).allSatisfy(r -> assertThat(r.time()).isBetween(start.minus(SKEW), end.plus(SKEW)));
                List<ConsumptionInterval> intervals = store.intervals(id, start.minus(Duration.ofDays(1)), end.plus(Duration.ofDays(1)));
                assertThat(intervals).allSatisfy(iv -> {
                    assertThat(iv.end()).isAfter(iv.start());
                    // polled every second: no interval spans more than a few seconds (minutes on a loaded machine),
                    // a gap would span an hour
                    assertThat(Duration.between(iv.start(), iv.end())).isLessThan(Duration.ofMinutes(30));
                });
            }
            assertThat(stored(store, UNCLOCKED)).allSatisfy(r -> assertThat(r.flags()).contains(ReadingFlag.CLOCK_INVALID));
        } finally {
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static List<String> allMeters() {
        List<String> all = new ArrayList<>(CLOCKED);
        all.add(UNCLOCKED);
        return all;
    }

    private static List<Reading> stored(MeterStore store, String id) {
        return store.readings(id, Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"));
    }

    private static boolean everyMeterHas(MeterStore store, int n) {
        return allMeters().stream().allMatch(id -> stored(store, id).size() >= n);
    }

    private static int count(MeterStore store) {
        return allMeters().stream().mapToInt(id -> stored(store, id).size()).sum();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 5 min");
            Thread.sleep(20);
        }
    }
}
