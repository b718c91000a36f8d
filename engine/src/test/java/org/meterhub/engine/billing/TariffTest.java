package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.CustomerClass;

class TariffTest {
    private static final LocalDate JAN = LocalDate.of(2026, 1, 1);
    private static final LocalDate JUL = LocalDate.of(2026, 7, 1);

    @Test
    void versionsMustTileWithoutGapOrOverlap() {
        TariffBook.checkSpans("t", List.of(JAN, JUL), List.of(Optional.of(JUL), Optional.empty()));
        TariffBook.checkSpans("t", List.of(JAN, JUL), List.of(Optional.empty(), Optional.empty()));
        assertThatThrownBy(() -> TariffBook.checkSpans("t", List.of(JAN, JUL), List.of(Optional.of(LocalDate.of(2026, 6, 1)), Optional.empty())))
                .hasMessage("tariff t: versions[0].until: gap: no version covers 2026-06-01 to 2026-06-30 (the next version starts 2026-07-01)");
        assertThatThrownBy(() -> TariffBook.checkSpans("t", List.of(JAN, JUL), List.of(Optional.of(LocalDate.of(2026, 8, 1)), Optional.empty())))
                .hasMessage("tariff t: versions[0].until: overlap: runs to 2026-07-31 but the next version starts 2026-07-01");
        assertThatThrownBy(() -> TariffBook.checkSpans("t", List.of(JUL, JAN), List.of(Optional.empty(), Optional.empty())))
                .hasMessageContaining("versions[1].from: versions must be in date order and not overlap");
        assertThatThrownBy(() -> TariffBook.checkSpans("t", List.of(JAN), List.of(Optional.of(JUL))))
                .hasMessageContaining("versions[0].until: the newest version has no end");
    }

    @Test
    void badPricesAndTiers() {
        assertThatThrownBy(() -> new Tier(Tier.UNBOUNDED, new BigDecimal("-2.61"))).hasMessage("price: must not be negative, got -2.61");
        assertThatThrownBy(() -> new TariffVersion(JAN, List.of(TestTariffs.tier(350_000, "2.61")), List.of(), Map.of()))
                .hasMessage("tiers[0].up-to-m3: the last tier has no upper bound");
        assertThatThrownBy(() -> new TariffVersion(JAN, List.of(TestTariffs.tier(500_000, "2.61"), TestTariffs.tier(350_000, "3"),
                TestTariffs.tier(Tier.UNBOUNDED, "4")), List.of(), Map.of())).hasMessage("tiers[1].up-to-m3: bounds must increase");
        assertThatThrownBy(() -> new FixedCharge("meter service", new BigDecimal("-1"))).hasMessageContaining("monthly: must not be negative");
        assertThatThrownBy(() -> new TariffBook(List.of(TestTariffs.residential(), new Tariff("other", Tariff.classesOf(
                List.of(CustomerClass.RESIDENTIAL)), MonthDay.of(1, 1), List.of(TestTariffs.v1())))))
                .hasMessage("tariffs other and residential-gas both apply to class residential");
    }

    @Test
    void variantsMoveTheThresholds() {
        TariffVersion v = TestTariffs.v1();
        assertThat(v.bounds(List.of())).containsExactly(350_000, 500_000, Tier.UNBOUNDED);
        assertThat(v.bounds(List.of("boiler"))).containsExactly(1_850_000, 3_000_000, Tier.UNBOUNDED);
        assertThat(v.bounds(List.of("large-household"))).containsExactly(500_000, 650_000, Tier.UNBOUNDED);
        assertThat(v.bounds(List.of("boiler", "large-household"))).containsExactly(2_000_000, 3_150_000, Tier.UNBOUNDED);
    }

    @Test
    void tierWalkSplitsChargesUpwardsAndCreditsDownwards() {
        long[] b = {350_000, 500_000, Tier.UNBOUNDED};
        assertThat(TierWalk.walk(b, 340_000, 31_000)).containsExactly(new TierWalk.Piece(1, 10_000, 340_000, 350_000),
                new TierWalk.Piece(2, 21_000, 350_000, 371_000));
        assertThat(TierWalk.walk(b, 355_000, -10_000)).containsExactly(new TierWalk.Piece(2, -5_000, 355_000, 350_000),
                new TierWalk.Piece(1, -5_000, 350_000, 345_000));
        assertThat(TierWalk.walk(b, 2_000, -3_000)).containsExactly(new TierWalk.Piece(1, -3_000, 2_000, -1_000));
    }

    @Test
    void tariffYearAndRounding() {
        Tariff t = new Tariff("t", Tariff.classesOf(List.of(CustomerClass.RESIDENTIAL)), MonthDay.of(4, 1), List.of(TestTariffs.v1()));
        assertThat(t.tariffYear(LocalDate.of(2026, 3, 31))).isEqualTo(2025);
        assertThat(t.tariffYear(LocalDate.of(2026, 4, 1))).isEqualTo(2026);
        assertThat(BillCalculator.amount(2_500, new BigDecimal("2.61"))).isEqualByComparingTo("6.53");   // 6.525 half-up
        assertThat(BillCalculator.amount(-2_500, new BigDecimal("2.61"))).isEqualByComparingTo("-6.53"); // away from zero
        assertThat(t.versionOn(LocalDate.of(2025, 12, 31))).isEmpty();
    }
}
