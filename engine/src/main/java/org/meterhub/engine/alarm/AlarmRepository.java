package org.meterhub.engine.alarm;

import java.util.List;
import java.util.Optional;

/** Alarms and their lifecycle steps. Steps are appended, never rewritten. */
public interface AlarmRepository {

    /** Stores a new alarm; returns it with its assigned id. */
    Alarm insert(Alarm alarm);

    /** Appends a lifecycle step (acknowledge, resolve) of an existing alarm. */
    void transition(Alarm updated);

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
