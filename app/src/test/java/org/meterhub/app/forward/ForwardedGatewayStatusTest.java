package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.GatewayStatusIntake;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.intake.MqttLink;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.mqtt.PrivateMosquitto;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * A forwarding gateway's status reaches the engines' store over the batches' broker (a private Mosquitto):
 * two meters behind a simulated DTU are polled into the gateway's journal and, with no engine taking the
 * batches, stay there, so the status the engine side stores ({@link GatewayStatusIntake}) shows the
 * journal's real backlog, the DTU connected and the polls. A message on the status topic that is not a
 * status is refused and changes nothing.
 */
class ForwardedGatewayStatusTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void theGatewaysStatusWithItsBacklogIsStoredByTheEngineSide(@TempDir Path dir) throws Exception {
        List<SimulatedCjt188Meter> meters = List.of(
                SimulatedCjt188Meter.gas(MeterAddress.of("30000000000801"), 10_000, CLOCK, ZONE, new UsageProfile(800, false), 1),
                SimulatedCjt188Meter.gas(MeterAddress.of("30000000000802"), 20_000, CLOCK, ZONE, new UsageProfile(800, false), 2));
        String prefix = StoreAndForwardProcessTest.prefix();
        String url = "jdbc:sqlite:" + dir.resolve("engine.db");
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        try (PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             SqlDatabase db = SqlDatabase.open(url);
             GatewayStatusIntake intake = new GatewayStatusIntake(broker.uri(), "status-test-engine", new Topics(prefix),
                     new JdbcGatewayStatus(db)).start()) {
            String yaml = """
                    dtu:
                      listen: 127.0.0.1:0
                    poll:
                      interval: 200ms
                      jitter: 0s
                      timeout: 30s
                      first-poll-spread: 0s
                    journal:
                      path: %s
                      partitions: 4
                      forward-to: mqtt://127.0.0.1:%d
                      gateway-id: gw-forwarding-7
                      topic-prefix: %s
                    buses:
                      - dtu: DTU-FWD-7
                        meters:
                          - id: "30000000000801"
                          - id: "30000000000802"
                    """.formatted(dir.resolve("journal.db"), broker.port(), prefix);
            GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
            try (ForwardingGateway gw = new ForwardingGateway(cfg, CLOCK, SingleBox.pollSettings(cfg.poll()), 1)) {
                InetSocketAddress at = gw.start();
                new SimulatedDtu("DTU-FWD-7", meters, WireModel.instant(), Duration.ofSeconds(20), 7)
                        .connect(simGroup, at).syncUninterruptibly();
                // Nothing takes the batches: the readings wait in the journal (the meters' clock is frozen, so each
                // meter's later polls are the same reading again, kept once).
                await("readings waiting in the journal", () -> gw.journal().stats().pending() == 2
                        && gw.buses().dtuBuses().stats().readings.get() >= 4);
                gw.buses().stopPolling(); // hold the numbers still
                long backlog = gw.journal().stats().pending();
                await("the status published and stored", () -> gw.publishStatus("gw-forwarding-7", NOW)
                        && new JdbcGatewayStatus(db).all().stream().anyMatch(s -> s.journalBacklog() == backlog));
                GatewayStatus s = new JdbcGatewayStatus(db).all().get(0);
                assertThat(s.gatewayId()).isEqualTo("gw-forwarding-7");
                assertThat(s.reportedAt()).isEqualTo(NOW);
                assertThat(s.dtusConnected()).isEqualTo(1);
                assertThat(s.dtusConfigured()).isEqualTo(1);
                assertThat(s.metersConfigured()).isEqualTo(2);
                assertThat(s.pollsOk()).isEqualTo(gw.buses().dtuBuses().stats().readings.get()).isGreaterThanOrEqualTo(4);
                assertThat(s.journalBacklog()).isEqualTo(backlog).isEqualTo(2);
                assertThat(s.journalLevel()).isEqualTo("OK");
                // its buses: the DTU, and the MQTT uplink to the engines (connected, no batch acknowledged: no engine)
                assertThat(s.buses()).extracting(org.meterhub.engine.gateways.BusStatus::kind).containsExactly("dtu-cjt188", "mqtt-uplink");
                assertThat(s.buses().get(0).name()).isEqualTo("DTU-FWD-7");
                assertThat(s.buses().get(0).pollsOk()).isGreaterThanOrEqualTo(4);
                org.meterhub.engine.gateways.BusStatus uplink = s.buses().get(1);
                assertThat(uplink.name()).isEqualTo("127.0.0.1:" + broker.port());
                assertThat(uplink.connected()).isTrue();
                assertThat(uplink.pollsOk()).isZero();
                assertThat(uplink.lastOk()).isNull();

                try (MqttLink stranger = new MqttLink(broker.uri(), "status-test-stranger", Duration.ofSeconds(1), (t, p) -> { })) {
                    stranger.start();
                    await("a non-status refused", () -> stranger.publish(new Topics(prefix).status("gw-forwarding-7"),
                            "{\"v\":1,\"gateway\":\"gw-forwarding-7\",\"journal_backlog\":-5}".getBytes(StandardCharsets.UTF_8))
                            && intake.refused() >= 1);
                }
                assertThat(new JdbcGatewayStatus(db).all()).containsExactly(s);
                assertThat(intake.stored()).isGreaterThanOrEqualTo(1);
            }
        } finally {
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 5 min: " + what);
            Thread.sleep(100);
        }
    }
}
