package org.meterhub.engine.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.calendar.WorkingDays;

/** A dispute's complaint deadlines (seed 000: 24 h, 3 working days) on a calendar with a holiday week. */
class DisputeDeadlinesTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final WorkingDays CALENDAR = new WorkingDays(SHANGHAI, EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY),
            Set.of(LocalDate.of(2026, 10, 1), LocalDate.of(2026, 10, 2), LocalDate.of(2026, 10, 5), LocalDate.of(2026, 10, 6),
                    LocalDate.of(2026, 10, 7)),
            Set.of(LocalDate.of(2026, 10, 10)));

    private static DisputeCase requested(LocalDate on, DisputeEvent... events) {
        List<DisputeEvent> all = new java.util.ArrayList<>();
        all.add(event(on, DisputeEvent.Kind.REQUESTED));
        all.addAll(List.of(events));
        return new DisputeCase(1, "A-1", "M-1", on, false, Instant.parse("2026-09-30T07:00:00Z"), all);
    }

    private static DisputeEvent event(LocalDate day, DisputeEvent.Kind kind) {
        return new DisputeEvent(1, 0, day, kind, null, null, null, null, "", Instant.parse("2026-09-30T07:00:00Z"));
    }

    @Test
    void theHolidayWeekIsNotCountedAndTheMakeUpSaturdayIs() {
        // requested Wednesday 30 September; answered on Saturday 10 October, the third working day after it
        DisputeCase c = requested(LocalDate.of(2026, 9, 30), event(LocalDate.of(2026, 10, 1), DisputeEvent.Kind.SPARE_FITTED),
                event(LocalDate.of(2026, 10, 10), DisputeEvent.Kind.TEST_RESULT));
        List<DisputeDeadlines.Check> checks = DisputeDeadlines.defaults().check(c, CALENDAR);
        assertThat(checks).extracting(k -> k.step() + " " + k.dueDay() + " " + k.status(LocalDate.of(2026, 10, 20)))
                .containsExactly("initial investigation 2026-10-01 met", "answered 2026-10-10 met");
        // on weekdays alone the answer would have been due on Monday 5 October, and late
        assertThat(DisputeDeadlines.defaults().check(c, WorkingDays.weekdays(SHANGHAI)).get(1).status(LocalDate.of(2026, 10, 20)))
                .isEqualTo("missed");
    }

    @Test
    void anUnansweredCaseIsOpenUntilItsDayAndOverdueAfter() {
        DisputeCase c = requested(LocalDate.of(2026, 9, 30));
        DisputeDeadlines.Check answered = DisputeDeadlines.defaults().check(c, CALENDAR).get(1);
        assertThat(answered.status(LocalDate.of(2026, 10, 10))).isEqualTo("open");
        assertThat(answered.status(LocalDate.of(2026, 10, 11))).isEqualTo("overdue");
    }
}
