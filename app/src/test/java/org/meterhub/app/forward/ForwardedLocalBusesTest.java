package org.meterhub.app.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestDatabases;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.read.Pty;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.ModbusTcpSlave;
import org.meterhub.simulators.modbus.SimulatedEvc;
import org.meterhub.simulators.mqtt.PrivateMosquitto;
import org.meterhub.simulators.serial.SerialCjt188Simulator;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * A forwarding gateway (journal.forward-to) polls the buses it opens itself, an RS-485 line and a
 * Modbus TCP device, exactly as it polls DTUs: through the journal and the broker into a remote
 * engine's store (real socat pseudo-terminal, a private Mosquitto, real PostgreSQL).
 */
class ForwardedLocalBusesTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC); // frozen meters: every reading has a known register

    @Test
    void serialAndModbusMetersReachTheRemoteEngineThroughTheJournal(@TempDir Path dir) throws Exception {
        SimulatedCjt188Meter serialMeter = SimulatedCjt188Meter.gas(MeterAddress.of("30000000000702"), 98_760, CLOCK, ZONE,
                new UsageProfile(800, false), 2);
        SimulatedEvc evcTcp = new SimulatedEvc(3, 555_000, 554_321, 30_000, CLOCK, ZONE, 3);
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        ModbusTcpSlave tcpSlave = new ModbusTcpSlave(ModbusTcpSlave.Mode.TCP, new ModbusResponder(List.of(evcTcp), 0, 3),
                WireModel.instant());
        InetSocketAddress tcpAt = tcpSlave.start(simGroup, "127.0.0.1", 0);
        String prefix = StoreAndForwardProcessTest.prefix();
        try (TestDatabases.Database db = TestDatabases.createPostgres();
             MeterStore store = StoreFactory.open(db.url());
             Pty line = new Pty(dir, "cjt");
             SerialCjt188Simulator sim = new SerialCjt188Simulator(line.deviceEnd, 9600, 'E', List.of(serialMeter),
                     WireModel.instant(), 2, 5);
             PrivateMosquitto broker = PrivateMosquitto.start(dir.resolve("broker"));
             MqttIntake engine = StoreAndForwardProcessTest.engine(store, db.url(), broker.uri(), prefix, "local-buses-engine")) {
            String yaml = """
                    dtu:
                      listen: 127.0.0.1:0
                    poll:
                      interval: 200ms
                      jitter: 0s
                      timeout: 30s
                      retries: 2
                      retry-backoff: 20ms
                    journal:
                      path: %s
                      partitions: 4
                      forward-to: mqtt://127.0.0.1:%d
                      gateway-id: gw-local-buses
                      topic-prefix: %s
                    serial:
                      - port: %s
                        baud: 9600
                        parity: even
                        meters:
                          - id: "30000000000702"
                            base-reading-l: 98000
                    modbus:
                      - connect: 127.0.0.1:%d
                        transport: tcp
                        meters:
                          - id: EVC-TCP-7
                            unit: 3
                            base-reading-l: 554000
                    """.formatted(dir.resolve("journal.db"), broker.port(), prefix, line.gatewayEnd,
                    tcpAt.getPort());
            GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
            SingleBox.registerMeters(store, cfg, NOW.minusSeconds(3600));
            try (ForwardingGateway gw = new ForwardingGateway(cfg, CLOCK, SingleBox.pollSettings(cfg.poll()), 1)) {
                gw.start();
                assertThat(gw.buses().configuredMeters()).isEqualTo(2);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (System.nanoTime() < deadline && (stored(store, "30000000000702").isEmpty()
                        || stored(store, "EVC-TCP-7").isEmpty())) {
                    Thread.sleep(50);
                }
                assertThat(gw.finish(Duration.ofMinutes(5))).as("the engine acknowledged everything journalled").isTrue();
                assertThat(gw.journal().stats().pending()).isZero();
                assertThat(gw.journal().stats().appended()).as("readings went through the journal").isGreaterThanOrEqualTo(2);
            }
            assertThat(stored(store, "30000000000702")).as("the RS-485 meter's readings, stored by the remote engine")
                    .isNotEmpty().allSatisfy(r -> assertThat(r.volumeL()).isEqualTo(98_760));
            assertThat(stored(store, "EVC-TCP-7")).as("the Modbus TCP meter's readings")
                    .isNotEmpty().allSatisfy(r -> assertThat(r.volumeL()).isEqualTo(554_321));
            assertThat(engine.stats().rejected()).isZero();
        } finally {
            tcpSlave.close();
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static List<Reading> stored(MeterStore store, String meterId) {
        return store.readings(meterId, NOW.minusSeconds(86_400), NOW.plusSeconds(86_400));
    }
}
