package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of in-service monitoring (docs/accuracy.md, "In-service monitoring").
 *
 * @param districtMinDays   a district is looked at when its loss was beyond the uncertainty band on at
 *                          least this many judged days of the window (and over the window as a whole);
 *                          default 3, the district balance's own streak (outside, a setting)
 * @param districtTop       how many of such a district's customer meters are listed, largest share first
 * @param checkLimitPercent a meter differing from its check meter by more than this is a suspect;
 *                          null: the class limit of the Qt..Qmax zone ({@code accuracy.upper-zone-limit-percent},
 *                          ±1.5 % for gas, seed)
 * @param checkMeters       check meter id → the customer meter it is fitted in series with
 */
public record MonitoringRules(int districtMinDays, int districtTop, BigDecimal checkLimitPercent, Map<String, String> checkMeters) {
    public static final MonitoringRules DEFAULTS = new MonitoringRules(3, 3, null, Map.of());

    public MonitoringRules {
        if (districtMinDays < 1 || districtMinDays > 366) {
            throw new IllegalArgumentException("district-min-days: expected 1..366, got " + districtMinDays);
        }
        if (districtTop < 1 || districtTop > 100) throw new IllegalArgumentException("district-top: expected 1..100, got " + districtTop);
        if (checkLimitPercent != null && (checkLimitPercent.signum() <= 0 || checkLimitPercent.compareTo(new BigDecimal("20")) > 0)) {
            throw new IllegalArgumentException("check-limit-percent: expected a number above 0 and at most 20, got " + checkLimitPercent.toPlainString());
        }
        TreeMap<String, String> m = new TreeMap<>();
        for (Map.Entry<String, String> e : (checkMeters == null ? Map.<String, String>of() : checkMeters).entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null || e.getValue().isBlank()) {
                throw new IllegalArgumentException("check-meters: expected check meter id: meter id, got " + e.getKey() + ": " + e.getValue());
            }
            if (e.getKey().equals(e.getValue())) throw new IllegalArgumentException("check-meters: " + e.getKey() + " cannot check itself");
            m.put(e.getKey(), e.getValue());
        }
        checkMeters = java.util.Collections.unmodifiableMap(m);
    }

    /** The check limit in percent: the setting, or the upper-zone class limit. */
    public BigDecimal checkLimit(AccuracyRules accuracy) {
        return checkLimitPercent != null ? checkLimitPercent : accuracy.upperZoneLimitPercent();
    }
}
