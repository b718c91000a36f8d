package org.meterhub.engine.alarm;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One lifecycle step as stored (append-only): the state after it, the milestone it reached (none
 * for the raise and for engine evidence), when, who and a note.
 *
 * @param step 1 for the raise, then counting; 0 for a step not stored yet
 */
public record AlarmStep(int step, AlarmState state, Optional<Milestone> milestone, Instant at, String actor, String note) {
    public AlarmStep {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(milestone, "milestone");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        note = note == null ? "" : note;
    }

    /** A person's or the engine's step that reached {@code m}, as the alarm {@code after} records it. */
    static AlarmStep reached(Alarm after, Milestone m, String note) {
        Alarm.Mark mark = after.doneOf(m).orElseThrow();
        return new AlarmStep(0, after.state(), Optional.of(m), mark.at(), mark.by(), note);
    }
}
