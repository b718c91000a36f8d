package org.meterhub.engine.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.junit.jupiter.api.Test;

class ConsumptionCalculatorTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final long CAP = MeterInfo.CJT188_CAPACITY_L;

    private static Reading reading(long minutes, long litres) {
        return new Reading("m1", T0.plusSeconds(minutes * 60), T0.plusSeconds(minutes * 60), litres,
                ReadingSource.CJT188, Set.of(), 0);
    }

    private static ConsumptionCalculator withBase(long baseL) {
        return new ConsumptionCalculator(ConsumptionSettings.defaults(),
                id -> Optional.of(new ConsumptionCalculator.Baseline(T0, baseL, CAP)));
    }

    @Test
    void countsFromTheCommissioningBaseReading() {
        ConsumptionCalculator c = withBase(1000);
        List<ConsumptionInterval> out = c.accept(reading(30, 1250));
        assertThat(out).singleElement().satisfies(i -> {
            assertThat(i.volumeL()).isEqualTo(250);
            assertThat(i.start()).isEqualTo(T0);
        });
    }

    @Test
    void firstReadingWithoutBaselineOnlyStartsTheCount() {
        ConsumptionCalculator c = new ConsumptionCalculator(ConsumptionSettings.defaults(), id -> Optional.empty());
        assertThat(c.accept(reading(10, 5000))).isEmpty();
        assertThat(c.accept(reading(40, 5070))).singleElement().extracting(ConsumptionInterval::volumeL).isEqualTo(70L);
    }

    @Test
    void duplicatesAndEarlierReadingsYieldNothing() {
        ConsumptionCalculator c = withBase(0);
        c.accept(reading(30, 100));
        assertThat(c.accept(reading(30, 100))).isEmpty();
        assertThat(c.accept(reading(20, 90))).isEmpty();
    }

    @Test
    void rolloverAtRegisterCapacityIsCountedAndFlagged() {
        ConsumptionCalculator c = withBase(CAP - 30);
        List<ConsumptionInterval> out = c.accept(reading(30, 20));
        assertThat(out).singleElement().satisfies(i -> {
            assertThat(i.volumeL()).isEqualTo(50);
            assertThat(i.flags()).contains(IntervalFlag.ROLLOVER);
        });
    }

    @Test
    void registerDecreaseIsFlaggedAndNeverNegative() {
        ConsumptionCalculator c = withBase(5000);
        List<ConsumptionInterval> out = c.accept(reading(30, 4990));
        assertThat(out).singleElement().satisfies(i -> {
            assertThat(i.volumeL()).isZero();
            assertThat(i.flags()).contains(IntervalFlag.REGISTER_DECREASE);
        });
    }

    @Test
    void longGapsAreSpreadAndMarked() {
        ConsumptionCalculator c = withBase(0);
        List<ConsumptionInterval> out = c.accept(reading(6 * 60, 600));
        assertThat(out).hasSize(6).allSatisfy(i -> {
            assertThat(i.volumeL()).isEqualTo(100);
            assertThat(i.flags()).contains(IntervalFlag.SPREAD);
        });
        assertThat(ConsumptionSettings.defaults().spreadAfter()).isEqualTo(Duration.ofHours(2));
    }

    /** The sum of intervals equals the register difference plus rollovers. */
    @Property(tries = 200)
    void intervalsSumToRegisterDifference(@ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 900) Integer> steps,
                                          @ForAll @IntRange(min = 1, max = 240) int minutesApart) {
        long start = CAP - 5_000;
        ConsumptionCalculator c = withBase(start);
        long register = start;
        long total = 0;
        long expected = 0;
        List<ConsumptionInterval> all = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            expected += steps.get(i);
            register = (register + steps.get(i)) % CAP;
            all.addAll(c.accept(reading((long) (i + 1) * minutesApart, register)));
        }
        for (ConsumptionInterval i : all) total += i.volumeL();
        assertThat(total).isEqualTo(expected);
    }
}
