package org.meterhub.app.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
import org.meterhub.app.TestCli;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.SingleBox;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.modbus.RegisterProfiles;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.SimulatedModbusDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.ModbusRtuSerialSlave;
import org.meterhub.simulators.modbus.ModbusTcpSlave;
import org.meterhub.simulators.modbus.SimulatedEvc;
import org.meterhub.simulators.serial.SerialCjt188Simulator;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * One gateway YAML with every kind of bus (CJ/T 188 and Modbus RTU behind DTUs, CJ/T 188 and Modbus
 * RTU on serial lines, a Modbus TCP device with a profile from a CSV file), run by {@link SingleBox};
 * then {@code meterhub read} asks the admin endpoint for one meter at a time.
 */
class OnDemandReadTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** Every {@code read} waits minutes for its answer (only a hang fails it), not the command's 60 s default. */
    private static String[] cli(int expectedExit, String... args) {
        if (args.length > 0 && args[0].equals("read")) {
            args = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--timeout", "5m"))
                    .toArray(String[]::new);
        }
        TestCli.Run r = TestCli.meterhub(args);
        assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(expectedExit);
        return r.out().split("\n");
    }

    @Test
    void everyKindOfConfiguredBusIsPolledAndEachMeterCanBeReadOnDemand() throws Exception {
        SimulatedCjt188Meter dtuMeter = SimulatedCjt188Meter.gas(MeterAddress.of("30000000000001"), 1_234_560, CLOCK, ZONE,
                new UsageProfile(800, false), 1);
        SimulatedCjt188Meter serialMeter = SimulatedCjt188Meter.gas(MeterAddress.of("30000000000002"), 98_760, CLOCK, ZONE,
                new UsageProfile(800, false), 2);
        SimulatedEvc evcDtu = new SimulatedEvc(1, 2_000_000, 1_950_017, 30_000, CLOCK, ZONE, 1);
        SimulatedEvc evc485 = new SimulatedEvc(2, 10_000, 9_999, 30_000, CLOCK, ZONE, 2);
        SimulatedEvc evcTcp = new SimulatedEvc(3, 555_000, 554_321, 30_000, CLOCK, ZONE, 3);
        Path csv = dir.resolve("my-evc.csv");
        try (var in = RegisterProfiles.class.getResourceAsStream("/org/meterhub/protocol/modbus/profiles/evc-basic.csv")) {
            Files.write(csv, in.readAllBytes());
        }
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        ModbusTcpSlave tcpSlave = new ModbusTcpSlave(ModbusTcpSlave.Mode.TCP, new ModbusResponder(List.of(evcTcp), 0, 3),
                WireModel.instant());
        InetSocketAddress tcpAt = tcpSlave.start(simGroup, "127.0.0.1", 0);
        try (Pty cjtLine = new Pty(dir, "cjt");
             Pty rtuLine = new Pty(dir, "rtu");
             SerialCjt188Simulator cjtSim = new SerialCjt188Simulator(cjtLine.deviceEnd, 9600, 'E', List.of(serialMeter),
                     WireModel.instant(), 2, 5);
             ModbusRtuSerialSlave rtuSim = new ModbusRtuSerialSlave(rtuLine.deviceEnd, 9600, 'E',
                     new ModbusResponder(List.of(evc485), 0, 6), WireModel.instant(), 6)) {
            String yaml = """
                    dtu:
                      listen: 127.0.0.1:0
                    poll:
                      interval: 1h
                      jitter: 0s
                      timeout: 30s
                      inter-frame-delay: 2ms
                      retries: 2
                      retry-backoff: 20ms
                    journal:
                      path: %s
                    buses:
                      - dtu: DTU-A
                        meters:
                          - id: "30000000000001"
                      - dtu: MB-A
                        protocol: modbus-rtu
                        meters:
                          - id: EVC-DTU
                            unit: 1
                    serial:
                      - port: %s
                        baud: 9600
                        parity: even
                        meters:
                          - id: "30000000000002"
                      - port: %s
                        protocol: modbus-rtu
                        inter-frame-delay: 5ms
                        meters:
                          - id: EVC-485
                            unit: 2
                    modbus:
                      - connect: 127.0.0.1:%d
                        transport: tcp
                        meters:
                          - id: EVC-TCP
                            unit: 3
                            profile: %s
                            base-reading-l: 554000
                    admin:
                      listen: 127.0.0.1:0
                    """.formatted(dir.resolve("journal.db"), cjtLine.gatewayEnd, rtuLine.gatewayEnd, tcpAt.getPort(), csv);
            GatewayConfig cfg = new ConfigLoader().parse("gateway.yaml", yaml, GatewayConfig.class);
            try (MeterStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("mh.db"));
                 SingleBox box = new SingleBox(cfg, store, CLOCK, SingleBox.pollSettings(cfg.poll()), 1)) {
                SingleBox.registerMeters(store, cfg, NOW);
                InetSocketAddress at = box.start();
                new SimulatedDtu("DTU-A", List.of(dtuMeter), WireModel.instant(), Duration.ofSeconds(20), 7)
                        .connect(simGroup, at).syncUninterruptibly();
                new SimulatedModbusDtu("MB-A", new ModbusResponder(List.of(evcDtu), 0, 8), WireModel.instant(), Duration.ZERO)
                        .connect(simGroup, at).syncUninterruptibly();
                assertThat(box.configuredMeters()).isEqualTo(5);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (box.onlineMeters() < 5 && System.nanoTime() < deadline) Thread.sleep(20);
                assertThat(box.onlineMeters()).as("meters whose first poll succeeded").isEqualTo(5);

                try (AdminServer admin = AdminServer.start("127.0.0.1", 0, box::readNow, Duration.ofMinutes(5))) {
                    String gw = "127.0.0.1:" + admin.address().getPort();
                    long before = rtuSim.requests();
                    String text = String.join("\n", cli(0, "read", "--gateway", gw, "--meter", "EVC-485"));
                    assertThat(text).contains("meter EVC-485 read through the gateway")
                            .contains("volume    9.999 m³ (9999 L)").contains("2026-11-24T14:00+08:00 (meter clock)");
                    assertThat(rtuSim.requests() - before).as("one request on the line for one on-demand read").isEqualTo(1);
                    assertThat(String.join("\n", cli(0, "read", "--gateway", gw, "--meter", "30000000000001")))
                            .contains("(1234560 L)");
                    assertThat(String.join("\n", cli(0, "read", "--gateway", gw, "--meter", "30000000000002")))
                            .contains("(98760 L)");
                    assertThat(String.join("\n", cli(0, "read", "--gateway", gw, "--meter", "EVC-DTU")))
                            .contains("(1950017 L)");
                    String json = String.join("\n", cli(0, "read", "--gateway", gw, "--meter", "EVC-TCP", "--json"));
                    assertThat(json).contains("\"volume_l\":554321").contains("\"volume_m3\":\"554.321\"").contains("\"source\":\"MODBUS\"");
                    assertThat(String.join("\n", cli(1, "read", "--gateway", gw, "--meter", "NOPE", "--json")))
                            .contains("UNKNOWN_METER");
                    HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://" + gw + "/api/v1/meters/EVC-TCP/read")).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(get.statusCode()).isEqualTo(405);
                    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
                }
                assertThat(box.finish(Duration.ofMinutes(5))).isTrue();
                assertThat(box.ingestStats().stored()).as("polled and on-demand readings are all stored").isGreaterThanOrEqualTo(10);
            }
        } finally {
            tcpSlave.close();
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(cli(1, "read", "--gateway", "127.0.0.1:1", "--meter", "EVC-TCP")).isNotNull();
    }
}
