package org.meterhub.engine.alarm;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One alarm as it stands. Immutable: each lifecycle step makes a new value (and the repository
 * keeps every step), so who did what when stays traceable.
 *
 * @param subject       a meter id, or a district id for network balance alarms
 * @param detail        why, with the numbers (no customer data)
 * @param volumeLostL   litres lost, where the detector can say (network balance, leaks)
 * @param acknowledgeBy deadline to acknowledge (on site / handled), if the category has one
 * @param resolveBy     deadline to resolve (repaired), if the category has one
 */
public record Alarm(long id, AlarmKind kind, String subject, String detail, OptionalLong volumeLostL,
                    Instant raisedAt, Optional<Instant> acknowledgeBy, Optional<Instant> resolveBy,
                    AlarmState state, Optional<Instant> acknowledgedAt, Optional<String> acknowledgedBy,
                    Optional<Instant> resolvedAt, Optional<String> resolvedBy, Optional<String> resolution) {
    public Alarm {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(volumeLostL, "volumeLostL");
        Objects.requireNonNull(raisedAt, "raisedAt");
        Objects.requireNonNull(state, "state");
    }

    public boolean open() {
        return state != AlarmState.RESOLVED;
    }

    /** The deadline this alarm has missed at {@code now}, if any. */
    public Optional<String> overdue(Instant now) {
        if (state == AlarmState.RAISED && acknowledgeBy.isPresent() && now.isAfter(acknowledgeBy.get())) {
            return Optional.of("not acknowledged by " + acknowledgeBy.get());
        }
        if (open() && resolveBy.isPresent() && now.isAfter(resolveBy.get())) {
            return Optional.of("not resolved by " + resolveBy.get());
        }
        return Optional.empty();
    }

    Alarm acknowledged(Instant at, String by) {
        return new Alarm(id, kind, subject, detail, volumeLostL, raisedAt, acknowledgeBy, resolveBy,
                AlarmState.ACKNOWLEDGED, Optional.of(at), Optional.of(by), resolvedAt, resolvedBy, resolution);
    }

    /** The same alarm with new evidence (an escalation or the end of the condition); its lifecycle state unchanged. */
    Alarm withEvidence(String newDetail, OptionalLong newVolumeLostL) {
        return new Alarm(id, kind, subject, newDetail, newVolumeLostL, raisedAt, acknowledgeBy, resolveBy, state,
                acknowledgedAt, acknowledgedBy, resolvedAt, resolvedBy, resolution);
    }

    Alarm resolved(Instant at, String by, String note) {
        return new Alarm(id, kind, subject, detail, volumeLostL, raisedAt, acknowledgeBy, resolveBy,
                AlarmState.RESOLVED, acknowledgedAt, acknowledgedBy, Optional.of(at), Optional.of(by), Optional.of(note));
    }
}
