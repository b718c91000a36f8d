package org.meterhub.engine.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.meterhub.engine.estimation.ReadingWindow;

/**
 * The days a cycle's bill covers: from the day after the previous cycle's reading window closed
 * to the day this cycle's window closes, whole days in the utility's zone. Cycle 2026-11 (window
 * 26 Oct to 14 Nov) bills 15 Oct to 14 Nov; consecutive periods tile the calendar.
 */
public record BillPeriod(YearMonth cycle, ZoneId zone) {
    public BillPeriod {
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(zone, "zone");
    }

    public LocalDate firstDay() {
        return new ReadingWindow(cycle.minusMonths(1), zone).lastDay().plusDays(1);
    }

    public LocalDate lastDay() {
        return new ReadingWindow(cycle, zone).lastDay();
    }

    /** Local midnight starting the first day (DST-correct). */
    public Instant start() {
        return firstDay().atStartOfDay(zone).toInstant();
    }

    /** Local midnight after the last day (exclusive). */
    public Instant end() {
        return lastDay().plusDays(1).atStartOfDay(zone).toInstant();
    }

    public int days() {
        return (int) ChronoUnit.DAYS.between(firstDay(), lastDay().plusDays(1));
    }

    public BillPeriod previous() {
        return new BillPeriod(cycle.minusMonths(1), zone);
    }

    public boolean contains(LocalDate day) {
        return !day.isBefore(firstDay()) && !day.isAfter(lastDay());
    }
}
