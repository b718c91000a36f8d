package org.meterhub.simulators.cjt188;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import org.meterhub.protocol.cjt188.Cjt188Message;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.cjt188.ErrorReply;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.cjt188.MonthlyHistory;
import org.meterhub.protocol.cjt188.ReadDataRequest;
import org.meterhub.simulators.usage.UsageProfile;
import org.meterhub.simulators.clock.HandClock;
import org.junit.jupiter.api.Test;

/** The simulated meter remembers its register at each settlement instant and reports it truthfully. */
class SettlementHistoryTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final MeterAddress ADDRESS = MeterAddress.of("30000000000007");

    private static Instant at(LocalDateTime local) {
        return local.atZone(ZONE).toInstant();
    }

    private static long litres(Cjt188Message m) {
        if (m instanceof MonthlyHistory h) return h.cumulative().toLitres();
        return ((GasWaterCurrentData) m).settlement().toLitres();
    }

    private static Cjt188Message ask(SimulatedCjt188Meter meter, int di) {
        return meter.answer(new ReadDataRequest(0x30, ADDRESS, di, 1, DiOrder.HIGH_FIRST)).orElseThrow();
    }

    @Test
    void historyAndThe901fSettlementFieldAreTheRegisterAtEachSettlementInstant() {
        HandClock clock = new HandClock(at(LocalDateTime.of(2026, 1, 20, 12, 0)));
        SimulatedCjt188Meter meter = SimulatedCjt188Meter.gas(ADDRESS, 1_000_000, clock, ZONE,
                new UsageProfile(20_000, true), 5).settlementDay(10);
        // before any settlement of the simulation: January's (10th, before the start) is the initial register
        assertThat(litres(ask(meter, 0xD120))).isEqualTo(1_000_000);
        assertThat(litres(ask(meter, 0x901F))).isEqualTo(1_000_000);

        clock.set(at(LocalDateTime.of(2026, 2, 10, 0, 0)));
        long atFebruarySettlement = meter.registerL();
        assertThat(atFebruarySettlement).isGreaterThan(1_000_000);
        clock.set(at(LocalDateTime.of(2026, 3, 9, 23, 59)));
        long beforeMarch = meter.registerL();
        clock.set(at(LocalDateTime.of(2026, 3, 25, 6, 0)));
        long now = meter.registerL();
        assertThat(now).isGreaterThan(beforeMarch);

        long march = meter.settlementRegisterL(YearMonth.of(2026, 3)).orElseThrow();
        assertThat(march).isBetween(beforeMarch, now);
        assertThat(meter.settlementRegisterL(YearMonth.of(2026, 2))).contains(atFebruarySettlement);
        assertThat(meter.settlementRegisterL(YearMonth.of(2026, 4))).isEmpty();
        assertThat(litres(ask(meter, 0xD120))).isEqualTo(march);
        assertThat(litres(ask(meter, 0xD121))).isEqualTo(atFebruarySettlement);
        assertThat(litres(ask(meter, 0xD122))).isEqualTo(1_000_000);
        assertThat(litres(ask(meter, 0x901F))).isEqualTo(march);
        assertThat(((MonthlyHistory) ask(meter, 0xD121)).monthsAgo()).isEqualTo(2);
    }

    @Test
    void historyFaultsAnswerWithAnErrorOrNotAtAll() {
        HandClock clock = new HandClock(at(LocalDateTime.of(2026, 1, 20, 12, 0)));
        SimulatedCjt188Meter meter = SimulatedCjt188Meter.gas(ADDRESS, 0, clock, ZONE, new UsageProfile(1000, false), 1);
        meter.inject(MeterFault.HISTORY_ERROR, 1.0);
        assertThat(ask(meter, 0xD120)).isInstanceOf(ErrorReply.class);
        assertThat(ask(meter, 0x901F)).isInstanceOf(GasWaterCurrentData.class);
        meter.clearFaults();
        meter.inject(MeterFault.HISTORY_SILENT, 1.0);
        assertThat(meter.answer(new ReadDataRequest(0x30, ADDRESS, 0xD120, 1, DiOrder.HIGH_FIRST))).isEmpty();
        assertThat(ask(meter, 0x901F)).isInstanceOf(GasWaterCurrentData.class);
    }
}
