package org.meterhub.benchmarks.southbound;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.concurrent.TimeUnit;
import org.meterhub.protocol.cjt188.Cjt188Exception;
import org.meterhub.protocol.cjt188.Cjt188Frames;
import org.meterhub.protocol.cjt188.Cjt188Message;
import org.meterhub.protocol.cjt188.Cjt188Messages;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.cjt188.MeterClock;
import org.meterhub.protocol.cjt188.MeterStatus;
import org.meterhub.protocol.cjt188.Quantity;
import org.meterhub.protocol.cjt188.ReadDataRequest;
import org.meterhub.protocol.cjt188.Unit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost per frame of the CJ/T 188 codec: a 901F gas reply from bytes to message (checksum, layout,
 * BCD), and a read request from message to bytes. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar Cjt188CodecBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Cjt188CodecBenchmark {
    private final MeterAddress address = MeterAddress.of("30000000000001");
    private final byte[] reply = Cjt188Frames.encode(Cjt188Messages.encode(new GasWaterCurrentData(0x30, address, 7,
            DiOrder.HIGH_FIRST, new Quantity(new BigDecimal("1234.56"), Unit.M3), new Quantity(new BigDecimal("1200.00"), Unit.M3),
            MeterClock.of(LocalDateTime.of(2026, 11, 24, 14, 0, 5)), new MeterStatus(4, 0))), 2);
    private final ReadDataRequest request = new ReadDataRequest(0x30, address, 0x901F, 7, DiOrder.LOW_FIRST);

    @Benchmark
    public Cjt188Message decodeReply() throws Cjt188Exception {
        // the preamble is stripped by the stream decoder before this step; skip it the same way
        return Cjt188Messages.decode(Cjt188Frames.decode(java.util.Arrays.copyOfRange(reply, 2, reply.length)));
    }

    @Benchmark
    public byte[] encodeRequest() {
        return Cjt188Frames.encode(Cjt188Messages.encode(request), 2);
    }
}
