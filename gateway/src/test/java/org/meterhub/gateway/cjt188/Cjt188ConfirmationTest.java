package org.meterhub.gateway.cjt188;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.cjt188.MeterClock;
import org.meterhub.protocol.cjt188.MeterStatus;
import org.meterhub.protocol.cjt188.Quantity;
import org.meterhub.protocol.cjt188.ReadDataRequest;
import org.meterhub.protocol.cjt188.Unit;

/**
 * Bounded confirmation on a noisy line (the line here always counts as noisy): a register that moves by
 * what flow allows is confirmed by the next reply; one that never agrees is asked at most 1 + N times and
 * the read fails as UNCONFIRMED.
 */
class Cjt188ConfirmationTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final Instant NOW = Instant.parse("2026-11-24T06:00:00Z");
    private static final MeterAddress ADDRESS = MeterAddress.of("30000000000042");
    private static final MeterEndpoint METER = new MeterEndpoint("M42", ADDRESS.digits(), Medium.GAS,
            new Cjt188Options(0x30, DiOrder.HIGH_FIRST));
    private final Cjt188Session.Counters counters = new Cjt188Session.Counters();
    private final AtomicLong lineErrors = new AtomicLong();

    private EmbeddedChannel channel(int maxReads) {
        // a new line error before every reply: the line stays noisy throughout
        return new EmbeddedChannel(new Cjt188Session("bus", new Cjt188ReadingMapper(ZONE, Clock.fixed(NOW, ZoneOffset.UTC),
                Duration.ofMinutes(10)), Duration.ofSeconds(5), counters,
                new Cjt188Session.Confirmation(lineErrors::incrementAndGet, 200, Duration.ZERO, maxReads)));
    }

    private static ReadDataRequest sent(EmbeddedChannel ch) {
        ch.runPendingTasks();
        return ch.readOutbound();
    }

    private static GasWaterCurrentData reply(int ser, String m3) {
        return new GasWaterCurrentData(0x30, ADDRESS, ser, DiOrder.HIGH_FIRST, new Quantity(new BigDecimal(m3), Unit.M3),
                new Quantity(new BigDecimal("1.00"), Unit.M3), MeterClock.of(LocalDateTime.ofInstant(NOW, ZONE)),
                new MeterStatus(0, 0));
    }

    private static ReadFailure failure(CompletableFuture<Reading> result) throws InterruptedException {
        try {
            result.get();
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return (ReadFailure) e.getCause();
        }
    }

    @Test
    void aRegisterThatNeverAgreesIsAskedOnePlusNTimesThenTheReadFails() throws Exception {
        EmbeddedChannel ch = channel(2);
        CompletableFuture<Reading> result = ch.pipeline().get(Cjt188Session.class).read(METER);
        String[] jumps = {"100.00", "200.00", "300.00"};
        for (String v : jumps) {
            ReadDataRequest r = sent(ch);
            assertThat(r).as("request for reply " + v).isNotNull();
            ch.writeInbound(reply(r.ser(), v));
        }
        assertThat(sent(ch)).as("no fourth request").isNull();
        ReadFailure f = failure(result);
        assertThat(f.kind()).isEqualTo(ReadFailure.Kind.UNCONFIRMED);
        assertThat(f.getMessage()).contains("after 2 confirmation reads", "register rose 100000 L");
        assertThat(counters.confirmationReads.get()).isEqualTo(2);
        assertThat(counters.disagreements.get()).isEqualTo(2);
        assertThat(counters.unconfirmed.get()).isEqualTo(1);
    }

    @Test
    void oneConfirmationReadAllowed() throws Exception {
        EmbeddedChannel ch = channel(1);
        CompletableFuture<Reading> result = ch.pipeline().get(Cjt188Session.class).read(METER);
        ch.writeInbound(reply(sent(ch).ser(), "100.00"));
        ch.writeInbound(reply(sent(ch).ser(), "150.00"));
        assertThat(sent(ch)).isNull();
        assertThat(failure(result).kind()).isEqualTo(ReadFailure.Kind.UNCONFIRMED);
    }

    @Test
    void aRegisterMovingOneStepBetweenReadsIsConfirmedByTheSecondReply() throws Exception {
        EmbeddedChannel ch = channel(2);
        CompletableFuture<Reading> result = ch.pipeline().get(Cjt188Session.class).read(METER);
        ch.writeInbound(reply(sent(ch).ser(), "100.00"));
        ch.writeInbound(reply(sent(ch).ser(), "100.01"));
        assertThat(result.get().volumeL()).isEqualTo(100_010);
        assertThat(sent(ch)).isNull();
        assertThat(counters.confirmationReads.get()).isEqualTo(1);
        assertThat(counters.disagreements.get()).isZero();
    }

    @Test
    void aRegisterThatWentBackIsNotConfirmedButTheNextAgreeingReplyIs() throws Exception {
        EmbeddedChannel ch = channel(2);
        CompletableFuture<Reading> result = ch.pipeline().get(Cjt188Session.class).read(METER);
        ch.writeInbound(reply(sent(ch).ser(), "100.01"));
        ch.writeInbound(reply(sent(ch).ser(), "100.00"));
        assertThat(result).isNotDone();
        ch.writeInbound(reply(sent(ch).ser(), "100.00"));
        assertThat(result.get().volumeL()).isEqualTo(100_000);
        assertThat(counters.disagreements.get()).isEqualTo(1);
    }

    @Test
    void agreementAllowsQmaxTimesElapsedPlusOneStep() {
        Reading a = reading(1_000, 0);
        long nineSeconds = Duration.ofSeconds(9).toNanos();
        // G2.5: 4000 L/h for 9 s is 10 L, plus one 10 L step
        assertThat(Cjt188Session.allowedRiseL(nineSeconds, 4_000, 10)).isEqualTo(20);
        assertThat(Cjt188Session.disagreement(a, reading(1_020, 0), nineSeconds, 4_000, 10)).isNull();
        assertThat(Cjt188Session.disagreement(a, reading(1_030, 0), nineSeconds, 4_000, 10)).contains("rose 30 L");
        assertThat(Cjt188Session.disagreement(a, reading(990, 0), nineSeconds, 4_000, 10)).contains("went back 10 L");
        assertThat(Cjt188Session.disagreement(a, reading(1_000, 4), nineSeconds, 4_000, 10)).contains("status");
        // rounded up: 1 ns of flow still allows a litre more than the step
        assertThat(Cjt188Session.allowedRiseL(1, 4_000, 10)).isEqualTo(11);
        // capped at the candidate age, so no overflow however large Qmax or elapsed
        assertThat(Cjt188Session.allowedRiseL(Long.MAX_VALUE, Long.MAX_VALUE, 10)).isEqualTo(Long.MAX_VALUE / 120 + 1 + 10);
    }

    private static Reading reading(long litres, int status) {
        return new Reading("M", NOW, NOW, litres, ReadingSource.CJT188, EnumSet.noneOf(ReadingFlag.class), status, NOW);
    }
}
