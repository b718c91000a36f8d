package org.meterhub.benchmarks.southbound;

import io.netty.channel.DefaultEventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.meterhub.engine.meter.Medium;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.cjt188.Cjt188ReadingMapper;
import org.meterhub.gateway.cjt188.Cjt188Session;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.poll.PollSettings;
import org.meterhub.gateway.poll.PollStats;
import org.meterhub.gateway.serial.Parity;
import org.meterhub.gateway.serial.SerialCjt188Bus;
import org.meterhub.gateway.serial.SerialSettings;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.serial.SerialCjt188Simulator;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * RS-485 at 9600 baud 8N1 against the wire-time simulator on a socat pseudo-terminal pair: CJ/T 188
 * polls per second back to back, as a fraction of what the wire allows. Args: [seconds] [meters].
 */
public final class SerialWireTimeRun {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int meterCount = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("mh-bench-pty");
        Process socat = new ProcessBuilder("socat", "pty,raw,echo=0,link=" + dir.resolve("gw"), "pty,raw,echo=0,link=" + dir.resolve("dev"))
                .redirectErrorStream(true).start();
        while (!Files.exists(dir.resolve("dev")) || !Files.exists(dir.resolve("gw"))) Thread.sleep(10);
        ZoneId zone = ZoneId.of("Asia/Shanghai");
        Clock clock = Clock.systemUTC();
        WireModel wire = WireModel.rs485(9600);
        List<SimulatedCjt188Meter> meters = new java.util.ArrayList<>();
        for (int i = 0; i < meterCount; i++) {
            meters.add(SimulatedCjt188Meter.gas(MeterAddress.of(String.format("300000000000%02d", i + 1)), 10_000, clock, zone,
                    new UsageProfile(800, false), i));
        }
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        PollStats stats = new PollStats();
        try (SerialCjt188Simulator sim = new SerialCjt188Simulator(dir.resolve("dev").toString(), 9600, 'N', meters, wire, 2, 1)) {
            List<MeterEndpoint> endpoints = meters.stream().map(m -> new MeterEndpoint(m.address().digits(), m.address().digits(),
                    Medium.GAS, new Cjt188Options(0x30, DiOrder.HIGH_FIRST))).toList();
            // interval 0: every meter is due again at once, so the bus never idles; 3.5-char silence only
            PollSettings poll = new PollSettings(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO, 1,
                    Duration.ofMillis(10), 3, 4);
            SerialCjt188Bus bus = SerialCjt188Bus.open(SerialSettings.of(dir.resolve("gw").toString(), 9600, Parity.NONE), endpoints,
                    poll, new Cjt188ReadingMapper(zone, clock, Duration.ofMinutes(10)), r -> { }, stats,
                    new Cjt188Session.Counters(), group, 4096, 2);
            Thread.sleep(2000); // warm-up
            long r0 = stats.readings.get();
            stats.latencyMicros.reset();
            bus.line().turnaroundMicros(); // start the interval afresh
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long readings = stats.readings.get() - r0;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            var turnaround = bus.line().turnaroundMicros();
            bus.close();
            int requestBytes = 2 + 13 + 3;   // FE FE + frame with DI and SER
            int replyBytes = 2 + 13 + 22;    // FE FE + 901F gas reply
            double wireOnly = 1e6 / (wire.micros(requestBytes) + wire.micros(replyBytes));
            double silenceMicros = SerialSettings.of("x", 9600, Parity.NONE).minimumSilence().toNanos() / 1000.0;
            double withSilence = 1e6 / (wire.micros(requestBytes) + wire.micros(replyBytes) + silenceMicros);
            double withLatency = 1e6 / (wire.exchangeMicros(requestBytes, replyBytes) + silenceMicros);
            double rate = readings / elapsed;
            var h = stats.latencyMicros.getIntervalHistogram();
            System.out.printf("serial 9600 8N1, %d meters, %.1f s: %d readings, %.2f polls/s, failed attempts %d%n",
                    meterCount, elapsed, readings, rate, stats.failedAttempts.get());
            System.out.printf("wire-time limit (bytes only, %d+%d bytes): %.2f polls/s -> %.1f %%%n", requestBytes, replyBytes,
                    wireOnly, 100 * rate / wireOnly);
            System.out.printf("limit with the master's mandatory 3.5-char silence (%.2f ms): %.2f polls/s -> %.1f %%%n",
                    silenceMicros / 1e3, withSilence, 100 * rate / withSilence);
            System.out.printf("limit with that silence + the simulated meter's 5 ms reaction (the simulator's own floor): "
                    + "%.2f polls/s -> %.1f %%%n", withLatency, 100 * rate / withLatency);
            double cycleMs = elapsed * 1e3 / readings;
            double modelMs = wire.exchangeMicros(requestBytes, replyBytes) / 1e3;
            double turnMs = turnaround.getMean() / 1e3;
            double simLateMs = sim.port().meanLateMicros() / 1e3;
            System.out.printf("where a cycle of %.2f ms goes: simulator's modelled exchange %.2f ms (request + 5 ms + reply on "
                            + "the wire) + its scheduler lateness %.2f ms; gateway turnaround (last reply byte read -> next "
                            + "request written) mean %.2f ms, p50 %.2f ms, p99 %.2f ms, of which the 3.5-char silence %.2f ms; "
                            + "rest (pty/socat transit both ways, reader wake-ups) %.2f ms%n", cycleMs, modelMs, simLateMs,
                    turnMs, turnaround.getValueAtPercentile(50) / 1e3, turnaround.getValueAtPercentile(99) / 1e3,
                    silenceMicros / 1e3, cycleMs - modelMs - simLateMs - turnMs);
            System.out.printf("request-to-reading p50 %.1f ms, p99 %.1f ms%n", h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            socat.destroy();
        }
    }
}
