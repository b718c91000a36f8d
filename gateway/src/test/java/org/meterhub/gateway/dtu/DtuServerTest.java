package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import static org.meterhub.gateway.dtu.RawModem.await;
import static org.meterhub.gateway.dtu.RawModem.closedByServer;
import static org.meterhub.gateway.dtu.RawModem.send;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dial-in contract over real TCP on loopback, with raw sockets as DTUs. The registration timeout is far longer
 * than any test (a modem that is slow to send its id on a loaded machine is not cut off), except in the test of that
 * timeout, which starts a server of its own with a short one; reads wait minutes, only to bound a hang.
 */
class DtuServerTest {
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    private NioEventLoopGroup group;
    private DtuBusManager manager;
    private DtuServer server;
    private InetSocketAddress address;
    private final Queue<Reading> readings = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        group = new NioEventLoopGroup(1);
        startServer(PATIENCE);
    }

    private void startServer(Duration registrationTimeout) throws Exception {
        List<MeterEndpoint> meters = List.of(new MeterEndpoint("30000000000001", "30000000000001", Medium.GAS,
                new Cjt188Options(0x30, DiOrder.HIGH_FIRST)));
        PollSettings poll = new PollSettings(Duration.ofHours(1), Duration.ZERO, Duration.ofMillis(300),
                Duration.ZERO, 0, Duration.ofMillis(100), 3, 4);
        manager = new DtuBusManager(List.of(new BusConfig("DTU-0001", BusProtocol.CJT188, meters)),
                poll, readings::add, ZoneId.of("Asia/Shanghai"), Clock.systemUTC(), Duration.ofMinutes(10));
        DtuSettings settings = new DtuSettings("127.0.0.1", 0, registrationTimeout, Duration.ofMinutes(30), "HB\n",
                DtuSettings.DEFAULT_ID, 512, 2);
        server = new DtuServer(settings, manager, group, Clock.systemUTC());
        manager.attach(server);
        address = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Socket dial() throws Exception {
        Socket s = new Socket();
        s.connect(address, (int) PATIENCE.toMillis());
        s.setSoTimeout((int) PATIENCE.toMillis()); // only bounds a hang: every read here ends on what the server does
        return s;
    }




    @Test
    void silentConnectionIsClosedAfterRegistrationTimeout() throws Exception {
        server.close();
        startServer(Duration.ofMillis(400)); // the timeout under test, its own short value
        try (Socket s = dial()) {
            assertThat(closedByServer(s)).isTrue();
        }
        assertThat(server.stats().registrationTimeouts.get()).isEqualTo(1);
        assertThat(server.stats().registered.get()).isZero();
    }

    @Test
    void invalidIdIsRejected() throws Exception {
        try (Socket s = dial()) {
            send(s, "not a valid id!\n");
            assertThat(closedByServer(s)).isTrue();
        }
        assertThat(server.stats().rejected.get()).isEqualTo(1);
    }

    @Test
    void unconfiguredDtuIsRefused() throws Exception {
        try (Socket s = dial()) {
            send(s, "DTU-9999\r\n");
            assertThat(closedByServer(s)).isTrue();
        }
        assertThat(server.connectedCount()).isZero();
    }

    @Test
    void registersAndSendsTheFirstRequestToTheConfiguredMeter() throws Exception {
        try (Socket s = dial()) {
            send(s, "DTU-0001\n");
            // 2 preamble + 68 T A0..A6 C L + DI DI SER + CS 16 = 18 bytes
            byte[] request = new byte[18];
            int n = s.getInputStream().readNBytes(request, 0, 18);
            assertThat(n).isEqualTo(18);
            // 2 preamble bytes, 68, type 30, address low byte first: 01 00 00 00 00 00 30, C=01, L=03, DI 90 1F
            assertThat(request).startsWith((byte) 0xFE, (byte) 0xFE, (byte) 0x68, (byte) 0x30, (byte) 0x01);
            assertThat(request[10]).as("A6, highest address byte").isEqualTo((byte) 0x30);
            assertThat(request[11]).as("C: read data").isEqualTo((byte) 0x01);
            assertThat(request[12]).as("L").isEqualTo((byte) 0x03);
            assertThat(request[13]).isEqualTo((byte) 0x90);
            assertThat(request[14]).isEqualTo((byte) 0x1F);
            assertThat(request[17]).isEqualTo((byte) 0x16);
            await(() -> server.isConnected("DTU-0001"));
        }
    }

    @Test
    void heartbeatsAreCountedNotTreatedAsData() throws Exception {
        try (Socket s = dial()) {
            send(s, "DTU-0001\nHB\n");
            s.getInputStream().readNBytes(18); // the first poll, left unanswered
            // Heartbeats only once the poll has timed out (no request waits for a reply), however long that takes.
            await(() -> manager.protocolCounters().timeouts.get() == 1);
            send(s, "HB\nHB\n");
            send(s, "HB");
            send(s, "\n");
            await(() -> server.stats().heartbeats.get() >= 3);
            assertThat(server.isConnected("DTU-0001")).isTrue();
        }
        assertThat(readings).isEmpty();
    }

    /** A modem that hangs up cleanly and dials again needs no proof (DtuTakeoverTest has the contested cases). */
    @Test
    void aDtuThatHungUpRegistersAgain() throws Exception {
        try (Socket first = dial()) {
            send(first, "DTU-0001\n");
            await(() -> server.isConnected("DTU-0001"));
        }
        await(() -> !server.isConnected("DTU-0001"));
        try (Socket second = dial()) {
            send(second, "DTU-0001\n");
            await(() -> server.isConnected("DTU-0001"));
            assertThat(server.stats().registered.get()).isEqualTo(2);
            assertThat(server.stats().takeoversRefused.get()).isZero();
        }
    }

    @Test
    void endlessGarbageIsCutOff() throws Exception {
        try (Socket s = dial()) {
            send(s, "DTU-0001\n");
            await(() -> server.isConnected("DTU-0001"));
            byte[] junk = new byte[256];
            java.util.Arrays.fill(junk, (byte) 0x55);
            boolean closed = false;
            for (int i = 0; i < 64 && !closed; i++) {
                try {
                    s.getOutputStream().write(junk);
                    s.getOutputStream().flush();
                } catch (java.io.IOException e) {
                    closed = true;
                }
                Thread.sleep(5);
            }
            assertThat(closed || closedByServer(s)).isTrue();
        }
        await(() -> !server.isConnected("DTU-0001"));
    }
}
