package org.meterhub.engine.alarm;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The alarm lifecycle: raise (one open alarm per subject and kind; a repeat detection returns
 * the open one), acknowledge, on site, resolve, follow up, and the overdue list. Every change is
 * stored first and then handed to the {@link AlarmSink}.
 *
 * <p>An alarm is raised when the utility learns of it (this service's clock), whatever time the
 * meter measured it at; its deadlines run from then. Resolving an alarm nobody acknowledged
 * records two steps by the same person: the acknowledgement, then the resolution.
 */
public final class AlarmService {
    /** An open alarm with the deadline it missed. */
    public record Overdue(Alarm alarm, String missed) {
    }

    private final AlarmRepository repository;
    private final AlarmDeadlines deadlines;
    private final AlarmSink sink;
    private final Clock clock;

    public AlarmService(AlarmRepository repository, AlarmDeadlines deadlines, AlarmSink sink, Clock clock) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Raises an alarm about an event the meter (or a balance, a detector) saw at {@code observedAt},
     * unless one of the same kind is open for the subject. It is raised now, by the clock: a reading
     * measured last week and arriving today gives an alarm due from today.
     */
    public synchronized Alarm raise(AlarmKind kind, String subject, String detail, OptionalLong volumeLostL,
                                    Instant observedAt) {
        Optional<Alarm> open = repository.openOf(subject, kind);
        if (open.isPresent()) return open.get();
        AlarmDeadlines.Rule rule = repository.mediumOf(subject).map(m -> deadlines.of(kind, m)).orElseGet(() -> deadlines.of(kind));
        Alarm a = repository.insert(Alarm.raised(kind, subject, detail, volumeLostL, observedAt, clock.instant(), rule));
        sink.published(a);
        return a;
    }

    /**
     * New evidence on an open alarm (a leak that keeps flowing: severity, duration, volume lost so far):
     * a new step of the alarm with {@code note}, actor {@code engine}; the alarm stays in its state.
     */
    public synchronized Alarm escalate(long id, String detail, OptionalLong volumeLostL, Instant at, String note) {
        Alarm a = existingOpen(id);
        Alarm next = a.withEvidence(detail, volumeLostL);
        return store(next, List.of(new AlarmStep(0, next.state(), Optional.empty(), at, "engine", note)));
    }

    /**
     * The condition behind an open alarm ended on its own (a leak's flow returned to zero at {@code at}):
     * the engine resolves it, recording the end and the total volume lost, so a later leak raises anew.
     * Nobody acknowledged it, so no acknowledgement is recorded; its deadlines are judged at {@code at}.
     */
    public synchronized Alarm ended(long id, String detail, OptionalLong volumeLostL, Instant at, String resolution) {
        Alarm a = existingOpen(id);
        Alarm next = a.withEvidence(detail, volumeLostL).reached(Milestone.RESOLVE, at, "engine", AlarmState.RESOLVED,
                Optional.of(resolution));
        return store(next, List.of(AlarmStep.reached(next, Milestone.RESOLVE, resolution)));
    }

    /** The subject's open alarm of this kind, if any. */
    public Optional<Alarm> openOf(String subject, AlarmKind kind) {
        return repository.openOf(subject, kind);
    }

    /** Someone took the alarm (gas: it is being handled; heat: the customer was contacted). */
    public synchronized Alarm acknowledge(long id, String by) {
        Alarm a = existing(id);
        if (a.state() != AlarmState.RAISED) throw new IllegalStateException("alarm " + id + " is " + a.state());
        Alarm next = a.reached(Milestone.ACKNOWLEDGE, clock.instant(), by, AlarmState.ACKNOWLEDGED, Optional.empty());
        return store(next, List.of(AlarmStep.reached(next, Milestone.ACKNOWLEDGE, "")));
    }

    /** Someone is on site; an alarm nobody acknowledged is acknowledged by them first (its own step). */
    public synchronized Alarm onSite(long id, String by) {
        Alarm a = existingOpen(id);
        if (a.doneOf(Milestone.ON_SITE).isPresent()) throw new IllegalStateException("alarm " + id + " is already on site");
        Instant now = clock.instant();
        List<AlarmStep> steps = new ArrayList<>();
        a = acknowledgedFirst(a, now, by, "acknowledged on arriving on site", steps);
        Alarm next = a.reached(Milestone.ON_SITE, now, by, AlarmState.ACKNOWLEDGED, Optional.empty());
        steps.add(AlarmStep.reached(next, Milestone.ON_SITE, ""));
        return store(next, steps);
    }

    /**
     * Resolves the alarm with what was found and done. An alarm nobody acknowledged is acknowledged
     * and resolved by the same person in one go, stored as two steps.
     */
    public synchronized Alarm resolve(long id, String by, String resolution) {
        Alarm a = existing(id);
        if (a.state() == AlarmState.RESOLVED) throw new IllegalStateException("alarm " + id + " is already resolved");
        Instant now = clock.instant();
        List<AlarmStep> steps = new ArrayList<>();
        a = acknowledgedFirst(a, now, by, "acknowledged on resolving", steps);
        Alarm next = a.reached(Milestone.RESOLVE, now, by, AlarmState.RESOLVED, Optional.of(resolution));
        steps.add(AlarmStep.reached(next, Milestone.RESOLVE, resolution));
        return store(next, steps);
    }

    /** The follow-up call to the customer after a resolved alarm (heat: within 48 h). */
    public synchronized Alarm followUp(long id, String by, String note) {
        Alarm a = existing(id);
        if (a.state() != AlarmState.RESOLVED) throw new IllegalStateException("alarm " + id + " is " + a.state()
                + "; the follow-up comes after the resolution");
        if (a.doneOf(Milestone.FOLLOW_UP).isPresent()) throw new IllegalStateException("alarm " + id + " was already followed up");
        Alarm next = a.reached(Milestone.FOLLOW_UP, clock.instant(), by, AlarmState.RESOLVED, a.resolution());
        return store(next, List.of(AlarmStep.reached(next, Milestone.FOLLOW_UP, note)));
    }

    public List<Alarm> open() {
        return repository.open();
    }

    public Optional<Alarm> find(long id) {
        return repository.find(id);
    }

    /** Every alarm of the subject, open or resolved, oldest first (what a late re-judgement checks against). */
    public List<Alarm> ofSubject(String subject) {
        return repository.bySubject(subject);
    }

    public List<AlarmStep> history(long id) {
        return repository.history(id);
    }

    /** Open alarms past a deadline now, oldest first. */
    public List<Overdue> overdue() {
        Instant now = clock.instant();
        return repository.open().stream()
                .flatMap(a -> a.overdue(now).map(m -> new Overdue(a, m)).stream()).toList();
    }

    /**
     * The month's deadline report: of the alarms resolved in {@code month} (in the utility's zone),
     * per kind, rule and milestone, how many had the deadline and how many met it.
     */
    public List<DeadlineShare> report(YearMonth month, ZoneId zone) {
        Instant from = month.atDay(1).atStartOfDay(zone).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
        return repository.deadlineShares(from, to);
    }

    private Alarm acknowledgedFirst(Alarm a, Instant now, String by, String note, List<AlarmStep> steps) {
        if (a.state() != AlarmState.RAISED) return a;
        Alarm acked = a.reached(Milestone.ACKNOWLEDGE, now, by, AlarmState.ACKNOWLEDGED, Optional.empty());
        steps.add(AlarmStep.reached(acked, Milestone.ACKNOWLEDGE, note));
        return acked;
    }

    private Alarm store(Alarm next, List<AlarmStep> steps) {
        repository.append(next, steps);
        sink.published(next);
        return next;
    }

    private Alarm existingOpen(long id) {
        Alarm a = existing(id);
        if (!a.open()) throw new IllegalStateException("alarm " + id + " is resolved");
        return a;
    }

    private Alarm existing(long id) {
        return repository.find(id).orElseThrow(() -> new IllegalArgumentException("no alarm " + id));
    }
}
