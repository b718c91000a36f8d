package org.meterhub.engine.evc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvcMonitorTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");
    private static final String EVC = "EVC-1";

    private final InMemoryEvcRepository stored = new InMemoryEvcRepository(100);
    private final EvcMonitor monitor = new EvcMonitor(new EvcCheck(EvcCheck.Settings.defaults()), stored::lastBefore);

    private static EvcSample sample(long minutes, long vbL, long vmL, String p, String t) {
        return new EvcSample(EVC, T0.plusSeconds(60 * minutes), vbL, vmL, new BigDecimal(p), new BigDecimal(t));
    }

    /** At base conditions (101.325 kPa, 20 °C) Vb must equal Vm. */
    private static EvcSample atBase(long minutes, long vbL, long vmL) {
        return sample(minutes, vbL, vmL, "101.325", "20");
    }

    @Test
    void aConverterThatConvertsRightPassesEveryWindow() {
        assertThat(monitor.onSample(atBase(0, 50_000, 50_000))).isEmpty(); // the first poll only starts a window
        EvcMonitor.Window w = monitor.onSample(atBase(15, 52_000, 52_000)).orElseThrow();
        assertThat(w.lineL()).isEqualTo(2_000);
        assertThat(w.baseL()).isEqualTo(2_000);
        assertThat(w.result().expectedBaseM3()).isEqualByComparingTo("2");
        assertThat(w.result().deviationPercent()).isEqualByComparingTo("0");
        assertThat(w.conversionError()).isFalse();
        assertThat(w.from()).isEqualTo(T0);
        assertThat(w.to()).isEqualTo(T0.plusSeconds(900));
    }

    @Test
    void aWindowCollectsPollsUntilItHoldsTheMinimumLineVolumeAndUsesTheMeanConditionsOfEachStep() {
        monitor.onSample(sample(0, 10_000, 10_000, "202.65", "20"));
        assertThat(monitor.onSample(sample(15, 10_400, 10_200, "202.65", "20"))).isEmpty(); // 200 L < 1 000 L
        assertThat(monitor.onSample(sample(30, 10_800, 10_400, "202.65", "20"))).isEmpty();
        // third step at 202.65 kPa on one end and 101.325 kPa on the other: mean 151.9875 kPa, factor 1.5
        EvcMonitor.Window w = monitor.onSample(sample(45, 11_700, 11_000, "101.325", "20")).orElseThrow();
        assertThat(w.lineL()).isEqualTo(1_000);
        assertThat(w.baseL()).isEqualTo(1_700);
        assertThat(w.result().expectedBaseM3()).isEqualByComparingTo("1.7"); // 0.4 m³ × 2 + 0.6 m³ × 1.5
        assertThat(w.conversionError()).isFalse();
        assertThat(w.minP()).isEqualByComparingTo("101.325");
        assertThat(w.maxP()).isEqualByComparingTo("202.65");
        assertThat(w.from()).isEqualTo(T0);
    }

    @Test
    void aBaseVolumeOffByMoreThanTheToleranceIsAConversionErrorWithItsNumbers() {
        monitor.onSample(sample(0, 0, 0, "103.25", "12.5"));
        // 5 m³ at 103.25 kPa, 12.5 °C: 5 × 103.25/101.325 × 293.15/285.65 = 5.2287... m³; the converter says 5.150
        EvcMonitor.Window w = monitor.onSample(sample(60, 5_150, 5_000, "103.25", "12.5")).orElseThrow();
        assertThat(w.result().expectedBaseM3().setScale(4, java.math.RoundingMode.HALF_UP)).isEqualByComparingTo("5.2288");
        assertThat(w.result().deviationPercent()).isEqualByComparingTo("-1.5064");
        assertThat(w.conversionError()).isTrue();
        assertThat(w.describe(EvcCheck.Settings.defaults())).isEqualTo(
                "reported base volume Vb 5.150 m³, computed Vm·(p/pb)·(Tb/T) 5.229 m³ from measured Vm 5.000 m³"
                        + " at p 103.25 kPa, T 12.5 °C: deviation -1.5064 %, beyond ±0.5 %"
                        + " (pb 101.325 kPa, Tb 20 °C; 2026-11-24T02:00:00Z to 2026-11-24T03:00:00Z)");
    }

    @Test
    void aRegisterThatGoesDownOrAReadingWithoutConverterValuesStartsAgainUnjudged() {
        monitor.onSample(atBase(0, 50_000, 50_000));
        assertThat(monitor.onSample(atBase(15, 1_000, 1_000))).isEmpty(); // exchanged converter
        assertThat(monitor.onSample(atBase(30, 3_000, 3_000))).get().extracting(EvcMonitor.Window::lineL).isEqualTo(2_000L);
        monitor.interrupted(EVC);
        assertThat(monitor.tracks(EVC)).isFalse();
        assertThat(monitor.onSample(atBase(45, 9_000, 5_000))).isEmpty(); // a new start, not judged against 03:30
        assertThat(monitor.onSample(atBase(60, 11_000, 7_000))).get().extracting(EvcMonitor.Window::conversionError)
                .isEqualTo(false);
    }

    @Test
    void aLateOrRepeatedPollAndAFailedSensorAreLeftOut() {
        monitor.onSample(atBase(30, 50_000, 50_000));
        assertThat(monitor.onSample(atBase(30, 50_000, 50_000))).isEmpty();
        assertThat(monitor.onSample(atBase(15, 40_000, 49_000))).isEmpty();
        assertThat(monitor.onSample(sample(45, 51_000, 51_000, "0", "20"))).isEmpty(); // pressure sensor reads 0
        assertThat(monitor.tracks(EVC)).isFalse();
        monitor.onSample(atBase(60, 52_000, 52_000));
        assertThat(monitor.onSample(atBase(75, 54_000, 54_000))).get().extracting(EvcMonitor.Window::lineL).isEqualTo(2_000L);
    }

    @Test
    void afterARestartTheCheckResumesFromTheLatestStoredSample() {
        stored.save(List.of(atBase(0, 50_000, 50_000)));
        Optional<EvcMonitor.Window> w = monitor.onSample(atBase(15, 51_500, 52_000));
        assertThat(w).get().satisfies(x -> {
            assertThat(x.from()).isEqualTo(T0);
            assertThat(x.lineL()).isEqualTo(2_000);
            assertThat(x.baseL()).isEqualTo(1_500);
            assertThat(x.result().deviationPercent()).isEqualByComparingTo("-25");
            assertThat(x.conversionError()).isTrue();
        });
    }
}
