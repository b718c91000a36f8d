package org.meterhub.engine.estimation;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The reading window of a billing cycle: the 26th of the month before to the 14th of the cycle's
 * month, whole days in the utility's zone (cycle 2026-11 reads from 26 Oct to 14 Nov inclusive).
 * The cycle is named after the month in which its window closes, the month the bill is issued.
 */
public record ReadingWindow(YearMonth cycle, ZoneId zone) {
    public static final int FIRST_DAY = 26;
    public static final int LAST_DAY = 14;

    public ReadingWindow {
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(zone, "zone");
    }

    public LocalDate firstDay() {
        return cycle.minusMonths(1).atDay(FIRST_DAY);
    }

    public LocalDate lastDay() {
        return cycle.atDay(LAST_DAY);
    }

    /** Local midnight starting the first day. */
    public Instant start() {
        return firstDay().atStartOfDay(zone).toInstant();
    }

    /** Local midnight after the last day (exclusive). */
    public Instant end() {
        return lastDay().plusDays(1).atStartOfDay(zone).toInstant();
    }

    public ReadingWindow previous() {
        return new ReadingWindow(cycle.minusMonths(1), zone);
    }
}
