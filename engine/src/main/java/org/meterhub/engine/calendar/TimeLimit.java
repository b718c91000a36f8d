package org.meterhub.engine.calendar;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A response time as the service regulations write it: either a duration ("within 24 h", counted
 * on the clock) or a number of working days ("within 3 working days", counted on the calendar).
 */
public sealed interface TimeLimit {

    /** {@code 24h}-style durations (as {@code unit} parses them) or {@code N working day(s)}. */
    static TimeLimit parse(String text, java.util.function.Function<String, Duration> durations) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,3})\\s+working\\s+days?").matcher(text.strip());
        if (m.matches()) return new WorkingDaysLimit(Integer.parseInt(m.group(1)));
        return new Within(durations.apply(text));
    }

    /** When it runs out for something received at {@code from}. */
    Instant due(Instant from, WorkingDays calendar);

    /**
     * The last day it allows, on whole days, for something received on {@code day}: a duration
     * rounded up to whole days, or the {@code n}th working day after it.
     */
    java.time.LocalDate dueDay(java.time.LocalDate day, WorkingDays calendar);

    /** As the settings write it: {@code 24h} or {@code 3 working days}. */
    String describe();

    record Within(Duration duration) implements TimeLimit {
        public Within {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("expected a positive duration");
        }

        @Override
        public Instant due(Instant from, WorkingDays calendar) {
            return from.plus(duration);
        }

        @Override
        public java.time.LocalDate dueDay(java.time.LocalDate day, WorkingDays calendar) {
            long days = (duration.toMillis() + 86_399_999L) / 86_400_000L;
            return day.plusDays(days);
        }

        @Override
        public String describe() {
            return duration.toHours() > 0 && duration.toMinutesPart() == 0 ? duration.toHours() + "h" : duration.toMinutes() + "m";
        }
    }

    record WorkingDaysLimit(int days) implements TimeLimit {
        public WorkingDaysLimit {
            if (days < 1) throw new IllegalArgumentException("expected at least 1 working day, got " + days);
        }

        @Override
        public Instant due(Instant from, WorkingDays calendar) {
            return calendar.deadline(from, days);
        }

        @Override
        public java.time.LocalDate dueDay(java.time.LocalDate day, WorkingDays calendar) {
            return calendar.plusWorkingDays(day, days);
        }

        @Override
        public String describe() {
            return days + (days == 1 ? " working day" : " working days");
        }
    }
}
