package org.meterhub.engine.accuracy;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meterhub.engine.calendar.TimeLimit;
import org.meterhub.engine.calendar.WorkingDays;

/**
 * The complaint deadlines an accuracy dispute runs against (a dispute is a customer's complaint
 * about the meter), settings with the defaults of seed 000 (gas): initial investigation within
 * 24 h, handled and answered within 3 working days, counted on the utility's working-day calendar
 * from the day the request was made. Judged on whole days, as the case's events are dated.
 *
 * <p>The initial investigation is reached by the utility's first step after the request (a meter
 * fitted, the deposit taken); the answer by the test result or the case's close.
 */
public record DisputeDeadlines(TimeLimit initialInvestigation, TimeLimit answered) {
    public DisputeDeadlines {
        Objects.requireNonNull(initialInvestigation, "initialInvestigation");
        Objects.requireNonNull(answered, "answered");
    }

    public static DisputeDeadlines defaults() {
        return new DisputeDeadlines(new TimeLimit.Within(Duration.ofHours(24)), new TimeLimit.WorkingDaysLimit(3));
    }

    /** One deadline of a case: the last day it allows, and the day it was reached, if it was. */
    public record Check(String step, TimeLimit limit, LocalDate dueDay, Optional<LocalDate> reachedOn) {
        /** met, missed, overdue (not reached, past due on {@code today}) or open. */
        public String status(LocalDate today) {
            if (reachedOn.isPresent()) return reachedOn.get().isAfter(dueDay) ? "missed" : "met";
            return today.isAfter(dueDay) ? "overdue" : "open";
        }
    }

    public List<Check> check(DisputeCase c, WorkingDays calendar) {
        LocalDate received = c.requestedOn();
        Optional<LocalDate> first = c.events().stream().filter(e -> e.kind() != DisputeEvent.Kind.REQUESTED)
                .map(DisputeEvent::day).min(LocalDate::compareTo);
        Set<DisputeEvent.Kind> answers = Set.of(DisputeEvent.Kind.TEST_RESULT, DisputeEvent.Kind.CLOSED);
        Optional<LocalDate> answer = c.events().stream().filter(e -> answers.contains(e.kind()))
                .map(DisputeEvent::day).min(LocalDate::compareTo);
        return List.of(
                new Check("initial investigation", initialInvestigation, initialInvestigation.dueDay(received, calendar), first),
                new Check("answered", answered, answered.dueDay(received, calendar), answer));
    }
}
