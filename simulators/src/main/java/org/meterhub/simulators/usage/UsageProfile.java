package org.meterhub.simulators.usage;

import java.time.LocalDateTime;

/**
 * Household gas use through the day and the year: cooking peaks at breakfast, lunch and
 * dinner, hot water in the evening, and boiler heating in the cold months (northern China's
 * heating season runs November to March).
 */
public final class UsageProfile {
    // Relative weight of each hour of the day (local time); the sum is the daily total.
    private static final int[] HOUR_WEIGHTS = {
        1, 1, 1, 1, 1, 2, 6, 10, 6, 3, 4, 9,
        10, 4, 2, 2, 4, 9, 12, 10, 7, 5, 3, 2};
    private static final int HOUR_WEIGHT_SUM = java.util.Arrays.stream(HOUR_WEIGHTS).sum();

    private final long dailyLitres;
    private final boolean boiler;

    /**
     * @param dailyLitres mean daily use outside the heating season
     * @param boiler      whether the household heats with a gas boiler
     */
    public UsageProfile(long dailyLitres, boolean boiler) {
        this.dailyLitres = dailyLitres;
        this.boiler = boiler;
    }

    /** Expected litres in the minute starting at {@code localTime}, in thousandths of a litre. */
    public long expectedMilliLitresPerMinute(LocalDateTime localTime) {
        long daily = dailyLitres;
        int month = localTime.getMonthValue();
        if (boiler && (month >= 11 || month <= 3)) daily *= 6;
        return daily * 1000 * HOUR_WEIGHTS[localTime.getHour()] / HOUR_WEIGHT_SUM / 60;
    }
}
