package org.meterhub.gateway.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.meterhub.engine.meter.Medium;
import org.meterhub.gateway.driver.DriverOptions;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.junit.jupiter.api.Test;

/** When a settlement read is owed: settlement day 00:00 in the utility's zone, plus the delay, by both clocks. */
class SettlementReadsTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final MeterEndpoint METER = new MeterEndpoint("M1", "M1", Medium.GAS, new DriverOptions() {
    }, null, 5);

    private static SettlementReads at(String instant) {
        return new SettlementReads(Clock.fixed(Instant.parse(instant), ZoneOffset.UTC), SHANGHAI, Duration.ofMinutes(10));
    }

    @Test
    void theLatestSettlementPassedInTheUtilitysZoneIsOwed() {
        // 2026-12-05 00:00 Shanghai = 2026-12-04T16:00Z; 10 minutes' delay
        assertThat(METER.settlementInstant(YearMonth.of(2026, 12), SHANGHAI)).isEqualTo(Instant.parse("2026-12-04T16:00:00Z"));
        assertThat(at("2026-12-04T16:09:59Z").owed(METER, null)).isEqualTo(YearMonth.of(2026, 11));
        assertThat(at("2026-12-04T16:10:00Z").owed(METER, null)).isEqualTo(YearMonth.of(2026, 12));
        assertThat(at("2027-01-03T00:00:00Z").owed(METER, null)).isEqualTo(YearMonth.of(2026, 12));
    }

    @Test
    void aMeterWhoseClockHasNotReachedTheSettlementIsAskedLater() {
        SettlementReads reads = at("2026-12-04T16:30:00Z");
        assertThat(reads.owed(METER, Instant.parse("2026-12-04T15:59:59Z"))).isNull();
        assertThat(reads.owed(METER, Instant.parse("2026-12-04T16:00:00Z"))).isEqualTo(YearMonth.of(2026, 12));
    }

    @Test
    void aMonthDoneIsNotOwedAgainAndAMeterWithoutADayNever() {
        SettlementReads reads = at("2026-12-04T16:30:00Z");
        reads.done("M1", YearMonth.of(2026, 12));
        reads.done("M1", YearMonth.of(2026, 11)); // an older month never moves the record back
        assertThat(reads.owed(METER, null)).isNull();
        assertThat(reads.lastDone("M1")).isEqualTo(YearMonth.of(2026, 12));
        assertThat(reads.owed(METER.withSettlementDay(0), null)).isNull();
    }
}
