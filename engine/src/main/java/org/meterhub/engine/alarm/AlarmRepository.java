package org.meterhub.engine.alarm;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.meterhub.engine.meter.Medium;

/** Alarms and their lifecycle steps. Steps are appended, never rewritten. */
public interface AlarmRepository {

    /** Stores a new alarm (its raise is step 1); returns it with its assigned id. */
    Alarm insert(Alarm alarm);

    /**
     * Appends steps of an existing alarm, in order and in one transaction, and makes
     * {@code after} its current state (e.g. an acknowledgement and a resolution taken together).
     * When {@code after} is resolved, whether each deadline was met is recorded with it.
     */
    void append(Alarm after, List<AlarmStep> steps);

    Optional<Alarm> find(long id);

    /** Alarms not resolved yet, oldest first. */
    List<Alarm> open();

    /** Every alarm of the subject, oldest first. */
    List<Alarm> bySubject(String subject);

    /** Every step of the alarm, first to last. */
    List<AlarmStep> history(long id);

    /** Per kind, rule and milestone: deadlines of the alarms resolved in [from, to) and how many were met. */
    List<DeadlineShare> deadlineShares(Instant from, Instant to);

    /** The subject's open alarm of this kind, if any (the raise path's duplicate check). */
    default Optional<Alarm> openOf(String subject, AlarmKind kind) {
        return bySubject(subject).stream().filter(a -> a.open() && a.kind() == kind).findFirst();
    }

    /** What the subject measures, where the store knows (the deadline rules differ by medium). */
    default Optional<Medium> mediumOf(String subject) {
        return Optional.empty();
    }
}
