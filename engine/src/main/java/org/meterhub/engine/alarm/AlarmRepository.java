package org.meterhub.engine.alarm;

import java.util.List;
import java.util.Optional;

/** Alarms and their lifecycle steps. Steps are appended, never rewritten. */
public interface AlarmRepository {

    /** Stores a new alarm; returns it with its assigned id. */
    Alarm insert(Alarm alarm);

    /** Appends a lifecycle step (acknowledge, resolve) of an existing alarm. */
    void transition(Alarm updated);

    /**
     * Appends an engine step that keeps or ends the alarm with new evidence (an escalation of an open
     * leak, the end of its flow): a new event, {@code note} saying what changed, with the projection's
     * detail, volume lost and state following it.
     */
    void append(Alarm updated, java.time.Instant at, String actor, String note);

    Optional<Alarm> find(long id);

    /** Alarms not resolved yet, oldest first. */
    List<Alarm> open();

    /** Every alarm of the subject, oldest first. */
    List<Alarm> bySubject(String subject);

    /** The subject's open alarm of this kind, if any (the raise path's duplicate check). */
    default Optional<Alarm> openOf(String subject, AlarmKind kind) {
        return bySubject(subject).stream().filter(a -> a.open() && a.kind() == kind).findFirst();
    }
}
