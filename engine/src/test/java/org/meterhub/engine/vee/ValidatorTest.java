package org.meterhub.engine.vee;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

class ValidatorTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final long CAP = MeterInfo.CJT188_CAPACITY_L;
    private final Validator v = new Validator(VeeSettings.defaults(), 4);
    private final MeterClass gas = MeterClass.householdGas();

    private static Reading r(Duration at, long litres, ReadingFlag... flags) {
        Instant t = T0.plus(at);
        return new Reading("m", t, t.plusSeconds(3), litres, ReadingSource.CJT188, Set.of(flags), 0x40);
    }

    private List<ValidationFlag> check(Reading prev, Reading cur) {
        return v.validate(0, cur, prev == null ? Validator.NONE : prev.time().toEpochMilli(),
                prev == null ? 0 : prev.volumeL(), CAP, gas, true, T0);
    }

    @Test
    void spikeIsMoreThanQmaxTimesTheInterval() {
        Reading a = r(Duration.ZERO, 10_000);
        assertThat(check(a, r(Duration.ofHours(1), 14_000))).isEmpty(); // exactly Qmax for an hour
        assertThat(check(a, r(Duration.ofHours(1), 14_001))).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FlagKind.SPIKE);
            assertThat(f.reason()).contains("4001 L").contains("4000 L");
        });
    }

    @Test
    void reverseFlowButNotRollover() {
        assertThat(check(r(Duration.ZERO, 10_000), r(Duration.ofHours(1), 9_990)))
                .singleElement().extracting(ValidationFlag::kind).isEqualTo(FlagKind.REVERSE_FLOW);
        assertThat(check(r(Duration.ZERO, CAP - 100), r(Duration.ofHours(1), 50))).isEmpty();
    }

    @Test
    void unitMismatchExplainsTheJumpInsteadOfASpike() {
        assertThat(check(r(Duration.ZERO, 123_450), r(Duration.ofHours(1), 123_450_000)))
                .singleElement().satisfies(f -> {
                    assertThat(f.kind()).isEqualTo(FlagKind.UNIT_MISMATCH);
                    assertThat(f.reason()).contains("1000 times");
                });
        assertThat(check(r(Duration.ZERO, 123_450), r(Duration.ofHours(1), 12_345)))
                .singleElement().extracting(ValidationFlag::kind).isEqualTo(FlagKind.UNIT_MISMATCH);
    }

    @Test
    void clockSkewAndMeterFaultsFromTheReadingItself() {
        Instant t = T0;
        Reading skewed = new Reading("m", t, t.plusSeconds(3600), 1, ReadingSource.CJT188, Set.of(), 0);
        assertThat(check(null, skewed)).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FlagKind.CLOCK_SKEW);
            assertThat(f.reason()).contains("3600 s");
        });
        assertThat(check(null, r(Duration.ZERO, 1, ReadingFlag.VALVE_FAULT))).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FlagKind.METER_FAULT);
            assertThat(f.reason()).contains("VALVE_FAULT").contains("0x40");
        });
    }

    @Test
    void stuckRegisterOnceAfterThirtyDaysWithoutUse() {
        assertThat(check(r(Duration.ZERO, 1_000), r(Duration.ofDays(1), 1_200))).isEmpty(); // used gas
        assertThat(check(r(Duration.ofDays(1), 1_200), r(Duration.ofDays(30), 1_200))).isEmpty();
        assertThat(check(r(Duration.ofDays(30), 1_200), r(Duration.ofDays(31), 1_200)))
                .singleElement().satisfies(f -> {
                    assertThat(f.kind()).isEqualTo(FlagKind.STUCK_REGISTER);
                    assertThat(f.reason()).contains("30 days");
                });
        assertThat(check(r(Duration.ofDays(31), 1_200), r(Duration.ofDays(32), 1_200))).isEmpty(); // once
    }

    @Test
    void neverUsedOrNotSuppliedIsNotStuck() {
        Validator fresh = new Validator(VeeSettings.defaults(), 4);
        Reading a = r(Duration.ZERO, 500);
        Reading b = r(Duration.ofDays(60), 500);
        assertThat(fresh.validate(1, b, a.time().toEpochMilli(), 500, CAP, gas, true, T0)).isEmpty();
    }

    @Test
    void repositoryFindsFlagsByMeterAndKind() {
        InMemoryValidationRepository repo = new InMemoryValidationRepository();
        List<ValidationFlag> flags = check(r(Duration.ZERO, 10_000), r(Duration.ofHours(1), 9_000));
        repo.save(flags);
        repo.save(flags);
        assertThat(repo.flags("m", T0, T0.plus(Duration.ofDays(1)))).hasSize(1);
        assertThat(repo.flagsOfKind(FlagKind.REVERSE_FLOW, T0, T0.plusSeconds(1))).hasSize(1);
        assertThat(repo.flagsOfKind(FlagKind.SPIKE, T0, T0.plusSeconds(1))).isEmpty();
    }
}
