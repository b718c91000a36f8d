package org.meterhub.engine.calendar;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The utility's working-day calendar: weekdays are working days except public holidays, and
 * weekend days listed as make-up working days are working days (China moves weekend days to
 * join holidays into a week off and works a Saturday or Sunday instead). Dates are in the
 * utility's zone: a complaint received at 23:30 local belongs to that local day, whatever UTC says.
 */
public final class WorkingDays {
    private final ZoneId zone;
    private final Set<DayOfWeek> weekend;
    private final TreeSet<LocalDate> holidays;
    private final TreeSet<LocalDate> makeUpDays;

    public WorkingDays(ZoneId zone, Set<DayOfWeek> weekend, Set<LocalDate> holidays, Set<LocalDate> makeUpDays) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.weekend = weekend.isEmpty() ? EnumSet.noneOf(DayOfWeek.class) : EnumSet.copyOf(weekend);
        this.holidays = new TreeSet<>(holidays);
        this.makeUpDays = new TreeSet<>(makeUpDays);
        for (LocalDate d : this.holidays) {
            if (this.makeUpDays.contains(d)) {
                throw new IllegalArgumentException("make-up-working-days: " + d + " is also a holiday");
            }
        }
    }

    /** Monday to Friday, no holidays: what a utility gets until it sets its calendar. */
    public static WorkingDays weekdays(ZoneId zone) {
        return new WorkingDays(zone, EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), Set.of(), Set.of());
    }

    public ZoneId zone() {
        return zone;
    }

    public boolean isWorkingDay(LocalDate day) {
        if (holidays.contains(day)) return false;
        if (makeUpDays.contains(day)) return true;
        return !weekend.contains(day.getDayOfWeek());
    }

    /** The {@code n}th working day after {@code day} (the day itself does not count; n ≥ 1). */
    public LocalDate plusWorkingDays(LocalDate day, int n) {
        if (n < 1) throw new IllegalArgumentException("working days: expected at least 1, got " + n);
        LocalDate d = day;
        for (int counted = 0; counted < n; ) {
            d = d.plusDays(1);
            if (isWorkingDay(d)) counted++;
        }
        return d;
    }

    /**
     * The deadline of "within {@code n} working days" of {@code received}: the end (next local
     * midnight) of the {@code n}th working day after the local day it was received on. Counting
     * starts the next day, the usual reading of "within N working days of receipt".
     */
    public Instant deadline(Instant received, int n) {
        LocalDate last = plusWorkingDays(received.atZone(zone).toLocalDate(), n);
        return last.plusDays(1).atStartOfDay(zone).toInstant();
    }

    @Override
    public String toString() {
        return "working days in " + zone + " (" + holidays.size() + " holidays, " + makeUpDays.size() + " make-up days)";
    }
}
