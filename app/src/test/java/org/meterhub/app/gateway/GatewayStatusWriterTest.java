package org.meterhub.app.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
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
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * A single box's own status, as {@code meterhub gateway} writes it for the console's Gateways page: one of its
 * two DTUs dials in with three meters (the other DTU's meter never answers), the box polls them into a SQLite
 * store, and the status row in that store says so: DTUs 1 of 2, meters 3 of 4 online, the polls that produced
 * readings, and the journal's backlog as the journal counts it (nothing, once the store has caught up).
 */
class GatewayStatusWriterTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final List<String> METERS = List.of("30000000000201", "30000000000202", "30000000000203");

    @TempDir
    Path dir;

    @Test
    void theSingleBoxWritesItsDtusPollsAndBacklogToTheStore() throws Exception {
        List<SimulatedCjt188Meter> meters = new ArrayList<>();
        for (int i = 0; i < METERS.size(); i++) {
            meters.add(SimulatedCjt188Meter.gas(MeterAddress.of(METERS.get(i)), 1_000_000 + 10 * i, CLOCK, ZONE,
                    new UsageProfile(800, false), i));
        }
        String yaml = """
                dtu:
                  listen: 127.0.0.1:0
                poll:
                  interval: 200ms
                  jitter: 0s
                  timeout: 30s
                  inter-frame-delay: 2ms
                  first-poll-spread: 0s
                journal:
                  path: %s
                  gateway-id: gw-status-test
                buses:
                  - dtu: DTU-STATUS-1
                    meters:
                      - id: "%s"
                      - id: "%s"
                      - id: "%s"
                  - dtu: DTU-STATUS-2
                    meters:
                      - id: "30000000000299"
                """.formatted(dir.resolve("journal.db"), METERS.get(0), METERS.get(1), METERS.get(2));
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
        String url = "jdbc:sqlite:" + dir.resolve("mh.db");
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        try (MeterStore store = StoreFactory.open(url);
             SingleBox box = new SingleBox(cfg, store, CLOCK, SingleBox.pollSettings(cfg.poll()), 1);
             GatewayStatusWriter writer = GatewayStatusWriter.open(url);
             SqlDatabase console = SqlDatabase.open(url)) {
            SingleBox.registerMeters(store, cfg, NOW);
            InetSocketAddress at = box.start();
            new SimulatedDtu("DTU-STATUS-1", meters, WireModel.instant(), Duration.ofSeconds(20), 7)
                    .connect(simGroup, at).syncUninterruptibly();
            await("all three meters polled and stored", () -> box.onlineMeters() == 3 && box.ingestStats().stored() >= 6);
            assertThat(box.finish(Duration.ofMinutes(5))).as("the store caught up with the journal").isTrue();

            writer.write(box.status(cfg.journal().gatewayId(), NOW));
            List<GatewayStatus> shown = new JdbcGatewayStatus(console).all();
            assertThat(shown).hasSize(1);
            GatewayStatus s = shown.get(0);
            assertThat(s.gatewayId()).isEqualTo("gw-status-test");
            assertThat(s.reportedAt()).isEqualTo(NOW);
            assertThat(s.dtusConnected()).isEqualTo(1);
            assertThat(s.dtusConfigured()).isEqualTo(2);
            assertThat(s.metersOnline()).isEqualTo(3);
            assertThat(s.metersConfigured()).isEqualTo(4);
            assertThat(s.pollsOk()).isEqualTo(box.buses().stats().readings.get()).isGreaterThanOrEqualTo(6);
            assertThat(s.journalBacklog()).isEqualTo(box.journal().stats().pending()).isZero();
            assertThat(s.journalLevel()).isEqualTo("OK");
        } finally {
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Two buses, one failing: both DTUs dial in, but behind the second one no meter answers to the configured address.
     * The status row carries both buses, the first with its readings and the second with its failed polls and their
     * reason, and the engine's query (the Gateways page's and the API's) calls the first OK and the second down.
     */
    @Test
    void aFailingBusIsReportedBesideAGoodOne() throws Exception {
        List<SimulatedCjt188Meter> meters = new ArrayList<>();
        for (int i = 0; i < METERS.size(); i++) {
            meters.add(SimulatedCjt188Meter.gas(MeterAddress.of(METERS.get(i)), 1_000_000 + 10 * i, CLOCK, ZONE,
                    new UsageProfile(800, false), i));
        }
        SimulatedCjt188Meter stranger = SimulatedCjt188Meter.gas(MeterAddress.of("30000000000298"), 5_000, CLOCK, ZONE,
                new UsageProfile(800, false), 9);
        String yaml = """
                dtu:
                  listen: 127.0.0.1:0
                poll:
                  interval: 200ms
                  jitter: 0s
                  timeout: 200ms
                  retries: 1
                  retry-backoff: 50ms
                  inter-frame-delay: 2ms
                  first-poll-spread: 0s
                journal:
                  path: %s
                  gateway-id: gw-two-buses
                buses:
                  - dtu: DTU-GOOD
                    meters:
                      - id: "%s"
                      - id: "%s"
                      - id: "%s"
                  - dtu: DTU-FAILING
                    meters:
                      - id: "30000000000299"
                """.formatted(dir.resolve("journal.db"), METERS.get(0), METERS.get(1), METERS.get(2));
        GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
        String url = "jdbc:sqlite:" + dir.resolve("mh.db");
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        try (MeterStore store = StoreFactory.open(url);
             SingleBox box = new SingleBox(cfg, store, CLOCK, SingleBox.pollSettings(cfg.poll()), 1);
             GatewayStatusWriter writer = GatewayStatusWriter.open(url);
             SqlDatabase console = SqlDatabase.open(url)) {
            SingleBox.registerMeters(store, cfg, NOW);
            InetSocketAddress at = box.start();
            new SimulatedDtu("DTU-GOOD", meters, WireModel.instant(), Duration.ofSeconds(20), 7)
                    .connect(simGroup, at).syncUninterruptibly();
            new SimulatedDtu("DTU-FAILING", List.of(stranger), WireModel.instant(), Duration.ofSeconds(20), 8)
                    .connect(simGroup, at).syncUninterruptibly();
            await("the good bus read, the failing bus given up after retries",
                    () -> box.onlineMeters() == 3 && box.buses().stats().failedPolls.get() >= 2);

            writer.write(box.status(cfg.journal().gatewayId(), NOW));
            GatewayStatus s = new JdbcGatewayStatus(console).all().get(0);
            assertThat(s.dtusConnected()).isEqualTo(2);
            assertThat(s.buses()).extracting(org.meterhub.engine.gateways.BusStatus::name).containsExactly("DTU-GOOD", "DTU-FAILING");
            org.meterhub.engine.gateways.BusStatus good = s.buses().get(0);
            org.meterhub.engine.gateways.BusStatus failing = s.buses().get(1);
            assertThat(good.kind()).isEqualTo("dtu-cjt188");
            assertThat(good.connected()).isTrue();
            assertThat(good.pollsOk()).isGreaterThanOrEqualTo(3);
            assertThat(good.pollsFailed()).isZero();
            assertThat(good.lastOk()).isEqualTo(NOW);
            assertThat(good.lastError()).isNull();
            assertThat(good.window()).isEqualTo(Duration.ofHours(1));
            assertThat(failing.connected()).isTrue();
            assertThat(failing.pollsOk()).isZero();
            assertThat(failing.pollsFailed()).isGreaterThanOrEqualTo(2);
            assertThat(failing.lastOk()).isNull();
            assertThat(failing.lastErrorAt()).isEqualTo(NOW);
            assertThat(failing.lastError()).isEqualTo("timeout");
            assertThat(good.pollsOk() + failing.pollsFailed()).as("every poll counted on its bus")
                    .isLessThanOrEqualTo(box.buses().stats().readings.get() + box.buses().stats().failedPolls.get());

            List<org.meterhub.engine.gateways.GatewayHealth.Bus> judged = new org.meterhub.engine.gateways.GatewayHealth(console,
                    org.meterhub.engine.gateways.GatewayHealth.Settings.defaults()).all(NOW).get(0).buses();
            assertThat(judged).extracting(org.meterhub.engine.gateways.GatewayHealth.Bus::state).containsExactly(
                    org.meterhub.engine.gateways.GatewayHealth.State.OK, org.meterhub.engine.gateways.GatewayHealth.State.DOWN);
            assertThat(judged.get(1).why()).isEqualTo("no poll gave a reading in the last 1 h");
        } finally {
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 5 min: " + what);
            Thread.sleep(50);
        }
    }
}
