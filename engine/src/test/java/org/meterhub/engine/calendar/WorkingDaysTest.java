package org.meterhub.engine.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WorkingDaysTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final EnumSet<DayOfWeek> WEEKEND = EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);

    /** China 2026 National Day: 1-7 October off, Sunday 27 September and Saturday 10 October worked. */
    private static final WorkingDays CHINA_2026 = new WorkingDays(SHANGHAI, WEEKEND,
            Stream.iterate(LocalDate.of(2026, 10, 1), d -> d.plusDays(1)).limit(7).collect(Collectors.toSet()),
            Set.of(LocalDate.of(2026, 9, 27), LocalDate.of(2026, 10, 10)));

    @Test
    void aHolidayInsideTheDeadlineIsNotCounted() {
        // received Wednesday 30 September, 15:00 local: the 3 working days are 8, 9 and (make-up) 10 October
        Instant received = LocalDate.of(2026, 9, 30).atTime(15, 0).atZone(SHANGHAI).toInstant();
        assertThat(CHINA_2026.plusWorkingDays(LocalDate.of(2026, 9, 30), 3)).isEqualTo(LocalDate.of(2026, 10, 10));
        assertThat(CHINA_2026.deadline(received, 3)).isEqualTo(LocalDate.of(2026, 10, 11).atStartOfDay(SHANGHAI).toInstant());
        // without the holidays it would have been Monday 5 October
        assertThat(WorkingDays.weekdays(SHANGHAI).plusWorkingDays(LocalDate.of(2026, 9, 30), 3)).isEqualTo(LocalDate.of(2026, 10, 5));
    }

    @Test
    void aMakeUpSaturdayIsAWorkingDay() {
        assertThat(CHINA_2026.isWorkingDay(LocalDate.of(2026, 10, 10))).isTrue(); // Saturday, worked
        assertThat(CHINA_2026.isWorkingDay(LocalDate.of(2026, 10, 17))).isFalse(); // an ordinary Saturday
        // received Friday 9 October: the first working day after it is Saturday 10 October
        assertThat(CHINA_2026.plusWorkingDays(LocalDate.of(2026, 10, 9), 1)).isEqualTo(LocalDate.of(2026, 10, 10));
        assertThat(WorkingDays.weekdays(SHANGHAI).plusWorkingDays(LocalDate.of(2026, 10, 9), 1)).isEqualTo(LocalDate.of(2026, 10, 12));
    }

    @Test
    void workingDaysAreTheUtilitysLocalDays() {
        // 16:30 UTC on Friday is 00:30 Saturday in Shanghai: received on Saturday, counted from Monday
        Instant lateFriday = Instant.parse("2026-11-20T16:30:00Z");
        assertThat(WorkingDays.weekdays(SHANGHAI).deadline(lateFriday, 1))
                .isEqualTo(LocalDate.of(2026, 11, 24).atStartOfDay(SHANGHAI).toInstant());
        assertThat(WorkingDays.weekdays(ZoneId.of("UTC")).deadline(lateFriday, 1))
                .isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
    }

    @Test
    void aDaylightSavingChangeMovesTheEndOfDayButNotDurationDeadlines() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        // Friday 23 October 2026 10:00 local; clocks go back on Sunday 25 October
        Instant received = LocalDate.of(2026, 10, 23).atTime(10, 0).atZone(berlin).toInstant();
        Instant due = WorkingDays.weekdays(berlin).deadline(received, 1);
        assertThat(due).isEqualTo(Instant.parse("2026-10-26T23:00:00Z")); // end of Monday, now UTC+1
        // a duration stays a duration across the change: 24 h are 24 h of Instants
        assertThat(new TimeLimit.Within(Duration.ofHours(24)).due(received, WorkingDays.weekdays(berlin)))
                .isEqualTo(received.plus(Duration.ofHours(24)));
        assertThat(Duration.between(received, due)).isEqualTo(Duration.ofHours(87)); // 86 h on the wall clock, one day of 25 h
    }

    @Test
    void aDayCannotBeBothAHolidayAndAMakeUpDay() {
        LocalDate d = LocalDate.of(2026, 10, 1);
        assertThatThrownBy(() -> new WorkingDays(SHANGHAI, WEEKEND, Set.of(d), Set.of(d)))
                .hasMessage("make-up-working-days: 2026-10-01 is also a holiday");
    }

    @Test
    void timeLimitsParseAsTheSettingsWriteThem() {
        assertThat(TimeLimit.parse("3 working days", s -> { throw new AssertionError(); }))
                .isEqualTo(new TimeLimit.WorkingDaysLimit(3));
        assertThat(TimeLimit.parse("1 working day", s -> { throw new AssertionError(); }))
                .isEqualTo(new TimeLimit.WorkingDaysLimit(1));
        assertThat(TimeLimit.parse("24h", s -> Duration.ofHours(24))).isEqualTo(new TimeLimit.Within(Duration.ofHours(24)));
        assertThat(new TimeLimit.Within(Duration.ofHours(24)).dueDay(LocalDate.of(2026, 10, 1), CHINA_2026))
                .isEqualTo(LocalDate.of(2026, 10, 2));
    }
}
