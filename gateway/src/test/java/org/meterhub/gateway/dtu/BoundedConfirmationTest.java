package org.meterhub.gateway.dtu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.bus.BusConfig;
import org.meterhub.gateway.bus.BusProtocol;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.ChannelMeterSession;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * One DTU bus, 1 % of bytes replaced in both directions, five CJ/T 188 meters polled back to back. One of
 * them is the subject: still, moving one 10 L step between every two reads (flow a confirmation accepts),
 * or jumping 1,000 m³ per read (no two replies ever agree). Each run reads every meter once per round
 * ({@code readAllNow}), {@link #POLLS} rounds, so each meter gets one poll per round whatever the others cost;
 * everything asserted is a count, none a duration.
 */
class BoundedConfirmationTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    private static final int POLLS = 30;
    private static final int CONFIRMATION_READS = 2;
    private static final int RETRIES = 5;

    /** What one run counted. */
    record Run(long subjectReadings, long subjectUnconfirmed, long subjectPolls, List<Long> requestsPerPoll,
               Map<String, Long> neighbourReadings, Map<String, Long> neighbourPolls, List<Reading> subjectRead,
               long subjectRegisterL, long corrupted) {
        double meanRequests() {
            return requestsPerPoll.stream().mapToLong(Long::longValue).average().orElse(0);
        }

        long maxRequests() {
            return requestsPerPoll.stream().mapToLong(Long::longValue).max().orElse(0);
        }

        long neighbourTotal() {
            return neighbourReadings.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void aMeterThatNeverAgreesIsAskedAtMostTheBoundAndItsNeighboursKeepTheirReads() throws Exception {
        Run still = run(0);
        Run stepping = run(10);
        Run jumping = run(1_000_000);
        for (var e : List.of(Map.entry("still", still), Map.entry("one step per read", stepping), Map.entry("jumping", jumping))) {
            Run r = e.getValue();
            System.out.printf("subject %-17s: %d polls, %d readings, %d unconfirmed; requests it answered per poll: mean %.2f,"
                            + " max %d; neighbours' readings %s (total %d); %d bytes corrupted%n", e.getKey(), r.subjectPolls(),
                    r.subjectReadings(), r.subjectUnconfirmed(), r.meanRequests(), r.maxRequests(), r.neighbourReadings(),
                    r.neighbourTotal(), r.corrupted());
        }
        // the jumping meter is never credited, every poll of it ends, none asks it more than the bound allows
        assertThat(jumping.subjectReadings()).isZero();
        assertThat(jumping.subjectPolls()).isGreaterThanOrEqualTo(POLLS);
        assertThat(jumping.subjectUnconfirmed()).as("polls given up as unconfirmed").isGreaterThanOrEqualTo(POLLS * 8L / 10);
        // per poll: 1 + N exchanges, each sent at most 1 + 2 times when a reply comes back damaged
        int sendsPerExchange = 1 + ChannelMeterSession.QuickRetry.DEFAULT_MAX_PER_READ;
        assertThat(jumping.meanRequests()).isLessThanOrEqualTo((1 + CONFIRMATION_READS) * 2.0);
        // hard bound, poller retries after timeouts included: N confirmations and (1 + retries) attempts, each resent twice
        assertThat(jumping.maxRequests()).isLessThanOrEqualTo(
                (long) (CONFIRMATION_READS + 1 + RETRIES + 1) * sendsPerExchange);
        assertThat(jumping.meanRequests()).as("it was asked more than a still meter").isGreaterThan(still.meanRequests());
        // its neighbours are polled round by round as when it is still
        for (String n : jumping.neighbourReadings().keySet()) {
            assertThat(jumping.neighbourPolls().get(n)).as("polls of " + n).isGreaterThanOrEqualTo((long) POLLS);
            assertThat(jumping.neighbourReadings().get(n)).as("readings of " + n).isGreaterThanOrEqualTo(POLLS * 8L / 10);
        }
        assertThat(jumping.neighbourTotal()).isGreaterThanOrEqualTo(still.neighbourTotal() * 9 / 10);
        assertThat(stepping.neighbourTotal()).isGreaterThanOrEqualTo(still.neighbourTotal() * 9 / 10);
        // a meter with flow is confirmed: credited, in order, each reading a register it reported
        assertThat(stepping.subjectReadings()).isGreaterThanOrEqualTo(POLLS * 8L / 10);
        long prev = -1;
        for (Reading r : stepping.subjectRead()) {
            assertThat(r.volumeL()).isGreaterThan(prev).isLessThanOrEqualTo(stepping.subjectRegisterL());
            assertThat(r.volumeL() % 10).isZero();
            prev = r.volumeL();
        }
        assertThat(still.subjectReadings()).isGreaterThanOrEqualTo(POLLS * 8L / 10);
        assertThat(still.corrupted() + stepping.corrupted() + jumping.corrupted()).as("noise was on the line").isGreaterThan(100);
    }

    private Run run(long subjectMovesL) throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        List<SimulatedCjt188Meter> meters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            meters.add(SimulatedCjt188Meter.gas(MeterAddress.of(String.format("30%012d", i + 1)), 1_000_000L + 10_000L * i,
                    clock, ZONE, new UsageProfile(1000, false), 19 + i));
        }
        SimulatedCjt188Meter subject = meters.get(2).moveOnEachRead(subjectMovesL);
        String subjectId = subject.address().digits();
        SimulatedDtu dtu = new SimulatedDtu("DTU-0019", meters, WireModel.instant(), Duration.ZERO, 1919);
        dtu.lineNoise(0.01);
        BusConfig bus = new BusConfig(dtu.id(), BusProtocol.CJT188, meters.stream()
                .map(m -> new MeterEndpoint(m.address().digits(), m.address().digits(), Medium.GAS,
                        new Cjt188Options(0x30, DiOrder.HIGH_FIRST))).toList());
        // no regular polls after the first: the rounds below decide who is read, one poll per meter per round
        PollSettings poll = new PollSettings(Duration.ofHours(1), Duration.ZERO, Duration.ofMillis(60), Duration.ofMillis(1),
                RETRIES, Duration.ofMillis(2), 1000, 1).withConfirmationReads(CONFIRMATION_READS);
        Map<String, AtomicLong> readings = new ConcurrentHashMap<>();
        Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
        List<Long> requestsPerPoll = new CopyOnWriteArrayList<>();
        List<Reading> subjectRead = new CopyOnWriteArrayList<>();
        AtomicLong unconfirmed = new AtomicLong();
        AtomicLong answeredBefore = new AtomicLong();
        ReadingSink sink = new ReadingSink() {
            @Override
            public void accept(Reading r) {
                readings.computeIfAbsent(r.meterId(), k -> new AtomicLong()).incrementAndGet();
                if (r.meterId().equals(subjectId)) {
                    subjectRead.add(r);
                    pollDone();
                }
            }

            @Override
            public void readFailed(String meterId, String source, String why) {
                failed.computeIfAbsent(meterId, k -> new AtomicLong()).incrementAndGet();
                if (meterId.equals(subjectId)) {
                    if (why.startsWith("no two replies agreed")) unconfirmed.incrementAndGet();
                    pollDone();
                }
            }

            /** Called when a poll of the subject ended: the requests it answered since the last one were this poll's. */
            private void pollDone() {
                long answered = subject.currentDataReads();
                requestsPerPoll.add(answered - answeredBefore.getAndSet(answered));
            }
        };
        NioEventLoopGroup gatewayGroup = new NioEventLoopGroup(1);
        NioEventLoopGroup simGroup = new NioEventLoopGroup(1);
        DtuServer server = null;
        try {
            DtuBusManager manager = new DtuBusManager(List.of(bus), poll, sink, ZONE, clock, Duration.ofMinutes(10));
            server = new DtuServer(DtuSettings.defaults("127.0.0.1", 0), manager, gatewayGroup, clock);
            manager.attach(server);
            InetSocketAddress at = server.start();
            dtu.connect(simGroup, at).syncUninterruptibly();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            // the bus's first polls (all due at registration) have reached the subject: the poller is there
            while (requestsPerPoll.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            for (int round = 0; round < POLLS; round++) manager.readAllNow().get(5, TimeUnit.MINUTES);
            manager.stopPolling();
            Map<String, Long> neighbourReadings = new java.util.TreeMap<>();
            Map<String, Long> neighbourPolls = new java.util.TreeMap<>();
            for (SimulatedCjt188Meter m : meters) {
                String id = m.address().digits();
                if (id.equals(subjectId)) continue;
                long ok = readings.getOrDefault(id, new AtomicLong()).get();
                neighbourReadings.put(id, ok);
                neighbourPolls.put(id, ok + failed.getOrDefault(id, new AtomicLong()).get());
            }
            long subjectOk = readings.getOrDefault(subjectId, new AtomicLong()).get();
            return new Run(subjectOk, unconfirmed.get(), subjectOk + failed.getOrDefault(subjectId, new AtomicLong()).get(),
                    List.copyOf(requestsPerPoll), neighbourReadings, neighbourPolls, List.copyOf(subjectRead),
                    subject.registerL(), dtu.corruptedBytes());
        } finally {
            if (server != null) server.close();
            gatewayGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            simGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
