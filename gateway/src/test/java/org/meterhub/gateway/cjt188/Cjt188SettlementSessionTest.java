package org.meterhub.gateway.cjt188;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.cjt188.ErrorReply;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.cjt188.MeterClock;
import org.meterhub.protocol.cjt188.MeterStatus;
import org.meterhub.protocol.cjt188.MonthlyHistory;
import org.meterhub.protocol.cjt188.Quantity;
import org.meterhub.protocol.cjt188.ReadDataRequest;
import org.meterhub.protocol.cjt188.Unit;
import org.junit.jupiter.api.Test;

/** The D120 request and what reply a settlement read credits: only a D120 reply from the meter asked, to that SER. */
class Cjt188SettlementSessionTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final MeterAddress ADDRESS = MeterAddress.of("30000000000042");
    private static final MeterEndpoint METER = new MeterEndpoint("M42", ADDRESS.digits(), Medium.GAS,
            new Cjt188Options(0x30, DiOrder.LOW_FIRST), null, 20);
    private static final YearMonth MONTH = YearMonth.of(2026, 11);
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T02:00:00Z"), ZoneOffset.UTC);
    private final Cjt188Session.Counters counters = new Cjt188Session.Counters();
    private final EmbeddedChannel channel = new EmbeddedChannel(new Cjt188Session("bus",
            new Cjt188ReadingMapper(ZONE, clock, Duration.ofMinutes(10)), Duration.ofSeconds(5), counters));

    private Cjt188Session session() {
        return channel.pipeline().get(Cjt188Session.class);
    }

    private ReadDataRequest sent() {
        channel.runPendingTasks();
        return channel.readOutbound();
    }

    private static Quantity m3(String v) {
        return new Quantity(new BigDecimal(v), Unit.M3);
    }

    @Test
    void d120InTheMetersDiOrderIsCreditedToTheSettlementInstant() throws Exception {
        CompletableFuture<Reading> result = session().readSettlement(METER, MONTH);
        ReadDataRequest request = sent();
        assertThat(request.di()).isEqualTo(0xD120);
        assertThat(request.diOrder()).isEqualTo(DiOrder.LOW_FIRST);
        assertThat(request.address()).isEqualTo(ADDRESS);
        int ser = request.ser();

        // none of these is the answer: wrong SER, wrong month's DI, another meter, the current-data reply
        channel.writeInbound(MonthlyHistory.of(0x30, ADDRESS, 1, (ser + 1) & 0xFF, DiOrder.LOW_FIRST, m3("111.11")));
        channel.writeInbound(MonthlyHistory.of(0x30, ADDRESS, 2, ser, DiOrder.LOW_FIRST, m3("222.22")));
        channel.writeInbound(MonthlyHistory.of(0x30, MeterAddress.of("30000000000043"), 1, ser, DiOrder.LOW_FIRST, m3("333.33")));
        channel.writeInbound(new GasWaterCurrentData(0x30, ADDRESS, ser, DiOrder.LOW_FIRST, m3("444.44"), m3("123.45"),
                MeterClock.of(LocalDateTime.of(2026, 11, 21, 10, 0)), new MeterStatus(0, 0)));
        assertThat(result).isNotDone();
        assertThat(counters.mismatched.get()).isEqualTo(4);

        channel.writeInbound(MonthlyHistory.of(0x30, ADDRESS, 1, ser, DiOrder.HIGH_FIRST, m3("123.45")));
        Reading r = result.get();
        assertThat(r.meterId()).isEqualTo("M42");
        assertThat(r.time()).isEqualTo(Instant.parse("2026-11-19T16:00:00Z")); // 20 November 00:00 in Shanghai
        assertThat(r.volumeL()).isEqualTo(123_450);
        assertThat(r.flags()).containsExactly(ReadingFlag.SETTLEMENT);
        assertThat(r.receivedAt()).isEqualTo(clock.instant());
    }

    @Test
    void anErrorReplyFailsTheReadAsAMeterError() {
        CompletableFuture<Reading> result = session().readSettlement(METER, MONTH);
        int ser = sent().ser();
        channel.writeInbound(new ErrorReply(0x30, ADDRESS, 0xC1, ser, 0));
        assertThat(result).isCompletedExceptionally();
        try {
            result.get();
        } catch (InterruptedException | ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ReadFailure.class);
            assertThat(((ReadFailure) e.getCause()).kind()).isEqualTo(ReadFailure.Kind.METER_ERROR);
        }
        assertThat(counters.meterErrors.get()).isEqualTo(1);
    }

    @Test
    void aMeterWithoutSettlementDayIsNotAsked() {
        CompletableFuture<Reading> result = session().readSettlement(METER.withSettlementDay(0), MONTH);
        assertThat(result).isCompletedExceptionally();
        assertThat(sent()).isNull();
    }
}
