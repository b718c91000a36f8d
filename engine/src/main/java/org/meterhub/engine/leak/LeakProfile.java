package org.meterhub.engine.leak;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.vee.MeterClass;

/**
 * Leak-detection thresholds for one meter class, as plain numbers for the hot path.
 *
 * @param continuousMinLph  water: every hour of {@code continuousHours} at or above this flow is continuous flow
 *                          (0 disables); default 0.5 % of Q3 (the rule allows 0.1-2 %)
 * @param nightMinLph       gas: every hour of the night window at or above this flow is a flowing night (0 disables)
 * @param nightStartHour    night window start, local hour (02)
 * @param nightEndHour      night window end, local hour, exclusive (05)
 * @param nights            flowing nights in a row before an alarm
 * @param burstQmaxLph      flow above this (the meter's Qmax) for {@code burstMinutes} is a burst
 * @param burstFactor       ... or above this many times the meter's own baseline (typical daily peak hour)
 * @param baselineDays      days of history before the baseline is trusted (until then only Qmax counts)
 */
public record LeakProfile(String className, long continuousMinLph, int continuousHours, long nightMinLph,
                          int nightStartHour, int nightEndHour, int nights, long burstQmaxLph, int burstFactor,
                          int burstMinutes, int baselineDays) {
    public LeakProfile {
        Objects.requireNonNull(className, "className");
        if (continuousHours < 1 || nights < 1 || burstMinutes < 1 || burstFactor < 1 || baselineDays < 1 || baselineDays > 100) {
            throw new IllegalArgumentException("hours, nights, minutes and factor must be at least 1");
        }
        if (nightStartHour < 0 || nightEndHour > 24 || nightEndHour <= nightStartHour) {
            throw new IllegalArgumentException("night window must be within one day, start before end");
        }
    }

    /** Settings a utility tunes, applied to a meter class. */
    public record Settings(BigDecimal continuousPercentOfQ3, int continuousHours, long gasNightMinLph,
                           int nightStartHour, int nightEndHour, int nights, int burstFactor, int burstMinutes,
                           int baselineDays) {
        public static Settings defaults() {
            return new Settings(new BigDecimal("0.5"), 24, 20, 2, 5, 1, 8, 30, 7);
        }
    }

    public static LeakProfile of(MeterClass mc, Settings s) {
        long continuous = mc.medium() == Medium.GAS ? 0
                : s.continuousPercentOfQ3().multiply(BigDecimal.valueOf(mc.q3Lph()))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING).longValueExact();
        long night = mc.medium() == Medium.GAS ? s.gasNightMinLph() : 0;
        return new LeakProfile(mc.name(), continuous, s.continuousHours(), night, s.nightStartHour(), s.nightEndHour(),
                s.nights(), mc.qmaxLph(), s.burstFactor(), s.burstMinutes(), s.baselineDays());
    }
}
