package org.meterhub.gateway.modbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.serial.SocatPty;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.meterhub.protocol.modbus.RegisterProfiles;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.ModbusRtuSerialSlave;
import org.meterhub.simulators.modbus.ModbusTcpSlave;
import org.meterhub.simulators.modbus.SimulatedEvc;

/**
 * Against Modbus implementations nobody here wrote (Debian packages): the gateway reads a pymodbus
 * server, and mbpoll (a Modbus master) reads the project's simulated converter over TCP and over RTU
 * on a pseudo-terminal. A missing package fails the test.
 */
class ModbusForeignPeersTest {
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static EventLoopGroup group;
    static ExecutorService io;

    @BeforeAll
    static void start() {
        group = new NioEventLoopGroup(1);
        io = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownNow();
    }

    @Test
    void gatewayReadsAPymodbusServer() throws Exception {
        RegisterProfile evc = RegisterProfiles.builtIn("evc-basic");
        int[] regs = new int[13];
        System.arraycopy(RegisterDecoder.encode(evc.field("vm").orElseThrow(), 7_654_321L), 0, regs, 0, 2);
        System.arraycopy(RegisterDecoder.encode(evc.field("vb").orElseThrow(), 7_000_123L), 0, regs, 2, 2);
        System.arraycopy(RegisterDecoder.encodeFloat(evc.field("qm").orElseThrow(), 42.25f), 0, regs, 4, 2);
        regs[10] = 1;
        System.arraycopy(RegisterDecoder.encode(evc.field("time").orElseThrow(), NOW.getEpochSecond()), 0, regs, 11, 2);
        int port = freePort();
        Path script = Files.createTempFile("pymodbus-server", ".py");
        Files.writeString(script, """
                import sys
                from pymodbus.server import StartTcpServer
                from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
                port = int(sys.argv[1]); unit = int(sys.argv[2]); regs = [int(x) for x in sys.argv[3].split(',')]
                store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, regs), zero_mode=True)
                StartTcpServer(context=ModbusServerContext(slaves={unit: store}, single=False), address=("127.0.0.1", port))
                """);
        String csv = IntStream.of(regs).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Process server = new ProcessBuilder("/usr/bin/python3", script.toString(), String.valueOf(port), "5", csv)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            waitForPort(port, server);
            ModbusSession s = new ModbusSession(new ModbusLink.Tcp("127.0.0.1", port), Duration.ofSeconds(30),
                    new ModbusReadingMapper(CLOCK, Duration.ofMinutes(10)), io, new ModbusSession.Counters());
            MeterEndpoint m = new MeterEndpoint("EVC-PY", "5", Medium.GAS, new ModbusOptions(5, evc));
            ModbusReadout r = s.readout(m).get(5, TimeUnit.MINUTES);
            assertThat(r.reading().volumeL()).isEqualTo(7_000_123L);
            assertThat(r.values().get("vm").litres()).isEqualTo(7_654_321L);
            assertThat(r.values().get("qm").value()).isEqualByComparingTo("42.25");
            assertThat(r.reading().time()).isEqualTo(NOW);
            assertThat(r.reading().flags()).contains(org.meterhub.engine.reading.ReadingFlag.LOW_BATTERY);
            s.close();
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(script);
        }
    }

    @Test
    void mbpollReadsTheSimulatedConverterOverTcp() throws Exception {
        SimulatedEvc evc = new SimulatedEvc(9, 123_456_789, 120_000_001, 30_000, CLOCK, ZoneId.of("Asia/Shanghai"), 4);
        try (ModbusTcpSlave slave = new ModbusTcpSlave(ModbusTcpSlave.Mode.TCP, new ModbusResponder(List.of(evc), 0, 1),
                WireModel.instant())) {
            InetSocketAddress at = slave.start(group, "127.0.0.1", 0);
            List<Integer> got = mbpoll("-m", "tcp", "-p", String.valueOf(at.getPort()), "-a", "9", "-0", "-r", "0", "-c", "13",
                    "-t", "4", "-1", "127.0.0.1");
            assertThat(got).containsExactlyElementsOf(IntStream.of(evc.registers()).boxed().toList());
            assertThat(((long) got.get(2) << 16) | got.get(3)).isEqualTo(120_000_001L);
        }
    }

    @Test
    void mbpollReadsTheSimulatedConverterOverRtuOnAPseudoTerminal() throws Exception {
        SimulatedEvc evc = new SimulatedEvc(3, 55_555, 50_001, 30_000, CLOCK, ZoneId.of("Asia/Shanghai"), 5);
        try (SocatPty pty = new SocatPty();
             ModbusRtuSerialSlave slave = new ModbusRtuSerialSlave(pty.deviceEnd(), 9600, 'E',
                     new ModbusResponder(List.of(evc), 0, 1), WireModel.rs485(9600), 1)) {
            List<Integer> got = mbpoll("-m", "rtu", "-b", "9600", "-P", "even", "-a", "3", "-0", "-r", "0", "-c", "13",
                    "-t", "4", "-1", pty.gatewayEnd());
            assertThat(got).containsExactlyElementsOf(IntStream.of(evc.registers()).boxed().toList());
            assertThat(slave.requests()).isEqualTo(1);
        }
    }

    /** Runs mbpoll once and returns the register values it printed. */
    static List<Integer> mbpoll(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mbpoll"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<Integer> values = new ArrayList<>();
        Matcher m = Pattern.compile("^\\[(\\d+)\\]:\\s+(-?\\d+)", Pattern.MULTILINE).matcher(out);
        while (m.find()) values.add(Integer.parseInt(m.group(2)) & 0xFFFF);
        return values;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port, Process server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!server.isAlive()) throw new IllegalStateException("pymodbus server exited with " + server.exitValue());
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("pymodbus server did not listen on " + port);
    }
}
