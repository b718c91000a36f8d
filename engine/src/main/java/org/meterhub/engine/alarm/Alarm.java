package org.meterhub.engine.alarm;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One alarm as it stands. Immutable: each lifecycle step makes a new value (and the repository
 * keeps every step), so who did what when stays traceable.
 *
 * <p>Two times: {@code observedAt} is when the meter measured or reported the event (it may be
 * days old when a reading arrives late); {@code raisedAt} is when the utility learned of it (the
 * engine raised or received the alarm). Deadlines run from {@code raisedAt}, as the domain rules say.
 *
 * @param subject     a meter id, or a district id for network balance alarms
 * @param detail      why, with the numbers (no customer data)
 * @param volumeLostL litres lost, where the detector can say (network balance, leaks)
 * @param rule        the deadline rule applied, e.g. {@code gas/leak}, {@code heat/repair}, or {@code none}
 * @param due         each milestone's deadline; milestones the rule has no deadline for are absent
 * @param done        each milestone reached: when and by whom
 */
public record Alarm(long id, AlarmKind kind, String subject, String detail, OptionalLong volumeLostL,
                    Instant observedAt, Instant raisedAt, String rule, Map<Milestone, Instant> due,
                    AlarmState state, Map<Milestone, Mark> done, Optional<String> resolution) {

    /** A milestone reached. */
    public record Mark(Instant at, String by) {
        public Mark {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(by, "by");
        }
    }

    public Alarm {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(volumeLostL, "volumeLostL");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(raisedAt, "raisedAt");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(resolution, "resolution");
        due = immutable(due);
        done = immutable(done);
    }

    /** A new alarm, not stored yet: raised at {@code raisedAt} with the rule's deadlines from then. */
    static Alarm raised(AlarmKind kind, String subject, String detail, OptionalLong volumeLostL, Instant observedAt,
                        Instant raisedAt, AlarmDeadlines.Rule rule) {
        Map<Milestone, Instant> due = new EnumMap<>(Milestone.class);
        rule.within().forEach((m, d) -> due.put(m, raisedAt.plus(d)));
        return new Alarm(0, kind, subject, detail, volumeLostL, observedAt, raisedAt, rule.name(), due,
                AlarmState.RAISED, Map.of(), Optional.empty());
    }

    public boolean open() {
        return state != AlarmState.RESOLVED;
    }

    public Optional<Instant> dueOf(Milestone m) {
        return Optional.ofNullable(due.get(m));
    }

    public Optional<Mark> doneOf(Milestone m) {
        return Optional.ofNullable(done.get(m));
    }

    public Optional<Instant> acknowledgeBy() {
        return dueOf(Milestone.ACKNOWLEDGE);
    }

    public Optional<Instant> resolveBy() {
        return dueOf(Milestone.RESOLVE);
    }

    public Optional<Instant> acknowledgedAt() {
        return doneOf(Milestone.ACKNOWLEDGE).map(Mark::at);
    }

    public Optional<String> acknowledgedBy() {
        return doneOf(Milestone.ACKNOWLEDGE).map(Mark::by);
    }

    public Optional<Instant> resolvedAt() {
        return doneOf(Milestone.RESOLVE).map(Mark::at);
    }

    public Optional<String> resolvedBy() {
        return doneOf(Milestone.RESOLVE).map(Mark::by);
    }

    /** The first deadline this alarm has missed at {@code now}, if any: a milestone due and not reached. */
    public Optional<String> overdue(Instant now) {
        for (Milestone m : Milestone.values()) {
            Instant by = due.get(m);
            if (by != null && !done.containsKey(m) && now.isAfter(by) && (open() || m == Milestone.FOLLOW_UP)) {
                return Optional.of("not " + m.reached() + " by " + by);
            }
        }
        return Optional.empty();
    }

    /** The next deadline still to meet, if any. */
    public Optional<Instant> nextDue() {
        for (Milestone m : Milestone.values()) {
            if (due.containsKey(m) && !done.containsKey(m) && (open() || m == Milestone.FOLLOW_UP)) {
                return Optional.of(due.get(m));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the milestone's deadline was met, once the alarm is resolved: met when reached by the
     * deadline; a milestone never reached counts as reached at the resolution (the need went away
     * then: a leak that stopped before anyone had to be there). The follow-up comes after the
     * resolution, so it is judged only once recorded. Empty without a deadline, while the alarm is
     * open, or for a follow-up not recorded yet.
     */
    public Optional<Boolean> met(Milestone m) {
        Instant by = due.get(m);
        Optional<Instant> closedAt = resolvedAt();
        if (by == null || closedAt.isEmpty()) return Optional.empty();
        if (m == Milestone.FOLLOW_UP && !done.containsKey(m)) return Optional.empty();
        Instant reached = done.containsKey(m) ? done.get(m).at() : closedAt.get();
        return Optional.of(!reached.isAfter(by));
    }

    Alarm reached(Milestone m, Instant at, String by, AlarmState newState, Optional<String> newResolution) {
        Map<Milestone, Mark> next = new EnumMap<>(Milestone.class);
        next.putAll(done);
        next.put(m, new Mark(at, by));
        return new Alarm(id, kind, subject, detail, volumeLostL, observedAt, raisedAt, rule, due, newState, next,
                newResolution);
    }

    /** The same alarm with new evidence (an escalation or the end of the condition); its lifecycle state unchanged. */
    Alarm withEvidence(String newDetail, OptionalLong newVolumeLostL) {
        return new Alarm(id, kind, subject, newDetail, newVolumeLostL, observedAt, raisedAt, rule, due, state, done,
                resolution);
    }

    Alarm withId(long newId) {
        return new Alarm(newId, kind, subject, detail, volumeLostL, observedAt, raisedAt, rule, due, state, done,
                resolution);
    }

    private static <V> Map<Milestone, V> immutable(Map<Milestone, V> m) {
        if (m == null || m.isEmpty()) return Map.of();
        return java.util.Collections.unmodifiableMap(new EnumMap<>(m));
    }
}
