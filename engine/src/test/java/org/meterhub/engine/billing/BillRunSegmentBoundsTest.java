package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stretches PostgreSQL sums a page's rollups over: the period split where a tariff version or tariff year starts. */
class BillRunSegmentBoundsTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @Test
    void aPriceChangeInsideThePeriodSplitsIt() {
        BillPeriod nov = new BillPeriod(YearMonth.of(2026, 11), ZONE); // 2026-10-15..2026-11-14, version from 2026-11-01
        assertThat(BillRun.segmentBounds(nov, List.of(TestTariffs.residential())))
                .containsExactly(nov.start(), midnight(LocalDate.of(2026, 11, 1)), nov.end());
    }

    @Test
    void aTariffYearStartInsideThePeriodSplitsIt() {
        BillPeriod jan = new BillPeriod(YearMonth.of(2027, 1), ZONE); // 2026-12-15..2027-01-14, tariff year from 1 Jan
        assertThat(BillRun.segmentBounds(jan, List.of(TestTariffs.residential())))
                .containsExactly(jan.start(), midnight(LocalDate.of(2027, 1, 1)), jan.end());
    }

    @Test
    void aPeriodUnderOneVersionAndYearIsOneStretch() {
        BillPeriod oct = new BillPeriod(YearMonth.of(2026, 10), ZONE);
        assertThat(BillRun.segmentBounds(oct, List.of(TestTariffs.residential()))).containsExactly(oct.start(), oct.end());
        assertThat(BillRun.segmentBounds(oct, List.of())).containsExactly(oct.start(), oct.end());
    }

    private static Instant midnight(LocalDate d) {
        return d.atStartOfDay(ZONE).toInstant();
    }
}
