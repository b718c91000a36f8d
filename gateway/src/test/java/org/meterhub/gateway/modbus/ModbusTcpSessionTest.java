package org.meterhub.gateway.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.modbus.RegisterProfiles;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.modbus.ModbusFault;
import org.meterhub.simulators.modbus.ModbusResponder;
import org.meterhub.simulators.modbus.ModbusTcpSlave;
import org.meterhub.simulators.modbus.SimulatedEvc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Modbus TCP and RTU-over-TCP over loopback against the simulated evc-basic converters. */
class ModbusTcpSessionTest {
    static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static EventLoopGroup group;
    static ExecutorService io;

    @BeforeAll
    static void start() {
        group = new NioEventLoopGroup(1);
        io = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        io.shutdownNow();
    }

    static MeterEndpoint meter(String id, int unit) {
        return new MeterEndpoint(id, String.valueOf(unit), Medium.GAS, new ModbusOptions(unit, RegisterProfiles.builtIn("evc-basic")));
    }

    static ModbusSession session(ModbusLink link) {
        return new ModbusSession(link, Duration.ofSeconds(30), new ModbusReadingMapper(CLOCK, Duration.ofMinutes(10)), io, // every slave answers
                new ModbusSession.Counters());
    }

    @Test
    void readsExactLitresOverTcpAndRtuOverTcp() throws Exception {
        for (ModbusTcpSlave.Mode mode : ModbusTcpSlave.Mode.values()) {
            SimulatedEvc a = new SimulatedEvc(1, 1_000_000, 990_123, 30_000, CLOCK, ZoneId.of("Asia/Shanghai"), 1);
            SimulatedEvc b = new SimulatedEvc(2, 5_000, 4_321, 30_000, CLOCK, ZoneId.of("Asia/Shanghai"), 2);
            try (ModbusTcpSlave slave = new ModbusTcpSlave(mode, new ModbusResponder(List.of(a, b), 0, 3), WireModel.rs485(9600))) {
                InetSocketAddress at = slave.start(group, "127.0.0.1", 0);
                ModbusLink link = mode == ModbusTcpSlave.Mode.TCP ? new ModbusLink.Tcp("127.0.0.1", at.getPort())
                        : new ModbusLink.RtuOverTcp("127.0.0.1", at.getPort());
                ModbusSession s = session(link);
                ModbusReadout ra = s.readout(meter("EVC-A", 1)).get(5, TimeUnit.MINUTES);
                Reading rb = s.read(meter("EVC-B", 2)).get(5, TimeUnit.MINUTES);
                assertThat(ra.reading().volumeL()).as(mode.name()).isEqualTo(990_123L).isEqualTo(a.vbLitres());
                assertThat(ra.values().get("vm").litres()).isEqualTo(1_000_000L);
                assertThat(ra.values().get("pressure").value()).isBetween(new java.math.BigDecimal("103"), new java.math.BigDecimal("104"));
                assertThat(ra.reading().time()).isEqualTo(NOW);
                assertThat(ra.reading().source()).isEqualTo(ReadingSource.MODBUS);
                assertThat(rb.volumeL()).isEqualTo(4_321L);
                assertThat(rb.meterId()).isEqualTo("EVC-B");
                s.close();
            }
        }
    }

    @Test
    void wrongUnitExceptionAndClockFaultsAreNeverCredited() throws Exception {
        SimulatedEvc a = new SimulatedEvc(1, 10_000, 9_000, 30_000, CLOCK, ZoneId.of("Asia/Shanghai"), 1);
        try (ModbusTcpSlave slave = new ModbusTcpSlave(ModbusTcpSlave.Mode.RTU_OVER_TCP, new ModbusResponder(List.of(a), 0, 3),
                WireModel.instant())) {
            InetSocketAddress at = slave.start(group, "127.0.0.1", 0);
            ModbusSession s = session(new ModbusLink.RtuOverTcp("127.0.0.1", at.getPort()));
            a.inject(ModbusFault.WRONG_UNIT, 1.0);
            assertThatThrownBy(() -> s.read(meter("EVC-A", 1)).join()).hasCauseInstanceOf(ReadFailure.class)
                    .hasMessageContaining("unit");
            a.clearFaults();
            a.inject(ModbusFault.EXCEPTION_REPLY, 1.0);
            assertThatThrownBy(() -> s.read(meter("EVC-A", 1)).join())
                    .satisfies(e -> assertThat(((ReadFailure) e.getCause()).kind()).isEqualTo(ReadFailure.Kind.METER_ERROR));
            a.clearFaults();
            a.inject(ModbusFault.CLOCK_ZERO, 1.0);
            a.inject(ModbusFault.LOW_BATTERY, 1.0);
            Reading r = s.read(meter("EVC-A", 1)).get(5, TimeUnit.MINUTES);
            assertThat(r.flags()).contains(ReadingFlag.CLOCK_INVALID, ReadingFlag.LOW_BATTERY);
            assertThat(r.volumeL()).isEqualTo(9_000L);
            assertThat(s.counters().exceptionReplies).hasValue(1);
            assertThat(s.counters().invalidReplies).hasValue(1);
            s.close();
        }
    }

    @Test
    void aPeerSendingEndlessGarbageIsCutOffAndCounted() throws Exception {
        AtomicLong sent = new AtomicLong();
        try (ServerSocket server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread babbler = new Thread(() -> {
                try (Socket peer = server.accept()) {
                    InputStream in = peer.getInputStream();
                    in.read(new byte[64]);
                    OutputStream out = peer.getOutputStream();
                    Random random = new Random(1);
                    byte[] junk = new byte[4096];
                    while (true) {
                        random.nextBytes(junk);
                        out.write(junk);
                        sent.addAndGet(junk.length);
                    }
                } catch (SocketException closedByGateway) {
                    // what the test expects: the gateway hung up
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            babbler.start();
            for (ModbusLink link : List.<ModbusLink>of(new ModbusLink.Tcp("127.0.0.1", server.getLocalPort()))) {
                ModbusSession s = session(link);
                assertThatThrownBy(() -> s.read(meter("EVC-A", 1)).join()).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(ReadFailure.class);
                assertThat(s.counters().cutOff).hasValue(1);
                babbler.join(5_000);
                assertThat(babbler.isAlive()).as("gateway closed the connection").isFalse();
                s.close();
            }
        }
    }
}
