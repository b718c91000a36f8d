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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
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
import org.junit.jupiter.api.Test;

/**
 * Who may take over a DTU's bus (protocols.md §2), over real TCP on loopback with raw sockets as
 * modems: an id alone is public (printed on the modem), so only a proof, or a tunnel silent past the
 * heartbeat timeout, hands the bus over. The server measures silence on a time the test moves by hand
 * ({@link #nanos}), so a tunnel is past the heartbeat timeout, or inside it, exactly when the test says,
 * however slowly a loaded machine delivers the bytes; every other wait is for a condition.
 */
class DtuTakeoverTest {
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    /** The server's monotonic time for silence, in nanoseconds: it moves only when a test advances it. */
    private final AtomicLong nanos = new AtomicLong();
    private static final String SECRET = "s3cret-for-DTU-0002";
    private static final String METER_1 = "30000000000001";
    private static final String METER_2 = "30000000000002";

    private NioEventLoopGroup group;
    private DtuServer server;
    private DtuBusManager manager;
    private InetSocketAddress address;
    private final Queue<DtuServer.Refusal> refusals = new ConcurrentLinkedQueue<>();
    private final Queue<Reading> readings = new ConcurrentLinkedQueue<>();

    private void start(Duration heartbeatTimeout) throws Exception {
        group = new NioEventLoopGroup(1);
        PollSettings poll = new PollSettings(Duration.ofHours(1), Duration.ZERO, Duration.ofMillis(500),
                Duration.ZERO, 0, Duration.ofMillis(100), 3, 4);
        manager = new DtuBusManager(List.of(
                new BusConfig("DTU-0001", BusProtocol.CJT188, List.of(meter(METER_1))),
                new BusConfig("DTU-0002", BusProtocol.CJT188, List.of(meter(METER_2)), Set.of(SECRET, "89860012345678901234"))),
                poll, readings::add, ZoneId.of("Asia/Shanghai"), Clock.systemUTC(), Duration.ofMinutes(10));
        DtuSettings settings = new DtuSettings("127.0.0.1", 0, PATIENCE, Duration.ofMinutes(30), "HB\n",
                DtuSettings.DEFAULT_ID, 512, 2, heartbeatTimeout);
        server = new DtuServer(settings, manager, group, Clock.systemUTC()).onRefusal(refusals::add)
                .measuringSilenceWith(nanos::get);
        manager.attach(server);
        address = server.start();
    }

    private static MeterEndpoint meter(String id) {
        return new MeterEndpoint(id, id, Medium.GAS, new Cjt188Options(0x30, DiOrder.HIGH_FIRST));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (group != null) group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aSecondConnectionWithOnlyTheIdIsRefusedAndTheBusStaysWithTheFirst() throws Exception {
        start(Duration.ofMinutes(2));
        try (Socket real = dial(); Socket intruder = dial()) {
            send(real, "DTU-0001\n");
            readRequest(real); // the first poll reaches the real DTU
            await(() -> server.isConnected("DTU-0001"));

            send(intruder, "DTU-0001\n");
            assertThat(closedByServer(intruder)).as("the intruder is cut off").isTrue();
            await(() -> server.stats().takeoversRefused.get() == 1);
            assertThat(server.stats().replaced.get()).isZero();
            assertThat(refusals).singleElement().satisfies(r -> {
                assertThat(r.dtuId()).isEqualTo("DTU-0001");
                assertThat(r.reason()).contains("no proof");
            });

            // The real DTU still carries its bus: an on-demand read goes to it, not to the intruder.
            CompletableFuture<Reading> read = manager.readNow(METER_1);
            byte[] request = readRequest(real);
            assertThat(request[13]).as("DI of a read").isEqualTo((byte) 0x90);
            assertThat(server.isConnected("DTU-0001")).isTrue();
            read.cancel(true);
        }
    }

    @Test
    void aDtuWithItsSecretTakesOverAHalfOpenTunnelAtOnce() throws Exception {
        start(Duration.ofMinutes(2));
        try (Socket stale = dial(); Socket redial = dial()) {
            send(stale, "DTU-0002:" + SECRET + "\n");
            readRequest(stale);
            await(() -> server.isConnected("DTU-0002"));

            // The modem redialled; its old tunnel is half-open, far inside the heartbeat timeout.
            send(redial, "DTU-0002:" + SECRET + "\r\n");
            assertThat(closedByServer(stale)).as("the old tunnel is closed").isTrue();
            await(() -> server.stats().replaced.get() == 1);
            readRequest(redial); // the bus is polled through the new connection
            assertThat(refusals).isEmpty();
        }
    }

    @Test
    void anIccidIsAProofToo() throws Exception {
        start(Duration.ofMinutes(2));
        try (Socket s = dial()) {
            send(s, "DTU-0002:89860012345678901234\n");
            readRequest(s);
            await(() -> server.isConnected("DTU-0002"));
        }
    }

    @Test
    void aDtuWithAProofConfiguredIsRefusedWithoutOneOrWithAWrongOne() throws Exception {
        start(Duration.ofMinutes(2));
        try (Socket none = dial()) {
            send(none, "DTU-0002\n");
            assertThat(closedByServer(none)).isTrue();
        }
        try (Socket wrong = dial()) {
            send(wrong, "DTU-0002:not-the-secret-at-all\n");
            assertThat(closedByServer(wrong)).isTrue();
        }
        await(() -> server.stats().proofsRejected.get() == 2);
        assertThat(server.isConnected("DTU-0002")).isFalse();
        assertThat(refusals).extracting(DtuServer.Refusal::reason)
                .containsExactly("no proof, and this DTU has one configured", "wrong proof");
        assertThat(refusals.toString()).as("a secret never reaches a report").doesNotContain("not-the-secret");
    }

    @Test
    void withoutProofATunnelSilentPastTheHeartbeatTimeoutIsReplaced() throws Exception {
        Duration heartbeatTimeout = Duration.ofMillis(800);
        start(heartbeatTimeout);
        try (Socket stale = dial(); Socket redial = dial()) {
            send(stale, "DTU-0001\n");
            readRequest(stale); // never answered: from now on the tunnel is silent
            nanos.addAndGet(heartbeatTimeout.plusMillis(1).toNanos());
            assertThat(server.silence("DTU-0001")).hasValue(heartbeatTimeout.plusMillis(1));

            send(redial, "DTU-0001\n");
            assertThat(closedByServer(stale)).isTrue();
            await(() -> server.stats().replaced.get() == 1);
            assertThat(server.stats().takeoversRefused.get()).isZero();
        }
    }

    @Test
    void heartbeatsKeepATunnelAlive() throws Exception {
        Duration heartbeatTimeout = Duration.ofMillis(800);
        start(heartbeatTimeout);
        try (Socket real = dial()) {
            send(real, "DTU-0001\n");
            readRequest(real);
            // A heartbeat while a request waits for its reply is bus data: send it once the first poll timed out.
            await(() -> manager.protocolCounters().timeouts.get() == 1);
            nanos.addAndGet(heartbeatTimeout.plusMillis(1).toNanos()); // silent past the heartbeat timeout...
            assertThat(server.silence("DTU-0001")).hasValue(heartbeatTimeout.plusMillis(1));
            send(real, "HB\n");
            await(() -> server.stats().heartbeats.get() == 1); // ...until the heartbeat
            assertThat(server.silence("DTU-0001")).hasValue(Duration.ZERO);
            try (Socket intruder = dial()) {
                send(intruder, "DTU-0001\n");
                assertThat(closedByServer(intruder)).isTrue();
            }
            assertThat(server.stats().takeoversRefused.get()).isEqualTo(1);
        }
    }

    private Socket dial() throws Exception {
        Socket s = new Socket();
        s.connect(address, (int) PATIENCE.toMillis());
        s.setSoTimeout((int) PATIENCE.toMillis()); // only bounds a hang: every read here ends on what the server does
        return s;
    }


    /** One CJ/T 188 read request (2 preamble bytes + 16), as the gateway sends it to the DTU. */
    private static byte[] readRequest(Socket s) throws Exception {
        byte[] request = s.getInputStream().readNBytes(18);
        assertThat(request).hasSize(18).startsWith((byte) 0xFE, (byte) 0xFE, (byte) 0x68);
        return request;
    }


}
