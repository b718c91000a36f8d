package org.meterhub.engine.alarm;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The alarm lifecycle: raise (one open alarm per subject and kind; a repeat detection returns
 * the open one), acknowledge, resolve, and the overdue list. Every change is stored first and
 * then handed to the {@link AlarmSink}.
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

    /** Raises an alarm detected at {@code at}, unless one of the same kind is open for the subject. */
    public synchronized Alarm raise(AlarmKind kind, String subject, String detail, OptionalLong volumeLostL, Instant at) {
        Optional<Alarm> open = repository.openOf(subject, kind);
        if (open.isPresent()) return open.get();
        AlarmDeadlines.Deadline d = deadlines.of(kind);
        Alarm a = repository.insert(new Alarm(0, kind, subject, detail, volumeLostL, at,
                d.acknowledge().map(at::plus), d.resolve().map(at::plus), AlarmState.RAISED,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        sink.published(a);
        return a;
    }

    /**
     * New evidence on an open alarm (a leak that keeps flowing: severity, duration, volume lost so far):
     * a new step of the alarm with {@code note}, actor {@code engine}; the alarm stays in its state.
     */
    public synchronized Alarm escalate(long id, String detail, OptionalLong volumeLostL, Instant at, String note) {
        Alarm a = existing(id);
        if (!a.open()) throw new IllegalStateException("alarm " + id + " is resolved");
        Alarm next = a.withEvidence(detail, volumeLostL);
        repository.append(next, at, "engine", note);
        sink.published(next);
        return next;
    }

    /**
     * The condition behind an open alarm ended on its own (a leak's flow returned to zero at {@code at}):
     * the engine resolves it, recording the end and the total volume lost, so a later leak raises anew.
     */
    public synchronized Alarm ended(long id, String detail, OptionalLong volumeLostL, Instant at, String resolution) {
        Alarm a = existing(id);
        if (!a.open()) throw new IllegalStateException("alarm " + id + " is resolved");
        Alarm next = a.withEvidence(detail, volumeLostL).resolved(at, "engine", resolution);
        repository.append(next, at, "engine", resolution);
        sink.published(next);
        return next;
    }

    /** The subject's open alarm of this kind, if any. */
    public Optional<Alarm> openOf(String subject, AlarmKind kind) {
        return repository.openOf(subject, kind);
    }

    /** Someone took the alarm (for a leak: is on site). */
    public synchronized Alarm acknowledge(long id, String by) {
        Alarm a = existing(id);
        if (a.state() != AlarmState.RAISED) throw new IllegalStateException("alarm " + id + " is " + a.state());
        Alarm next = a.acknowledged(clock.instant(), by);
        repository.transition(next);
        sink.published(next);
        return next;
    }

    public synchronized Alarm resolve(long id, String by, String resolution) {
        Alarm a = existing(id);
        if (a.state() == AlarmState.RESOLVED) throw new IllegalStateException("alarm " + id + " is already resolved");
        Alarm next = a.resolved(clock.instant(), by, resolution);
        repository.transition(next);
        sink.published(next);
        return next;
    }

    public List<Alarm> open() {
        return repository.open();
    }

    public Optional<Alarm> find(long id) {
        return repository.find(id);
    }

    /** Open alarms past a deadline now, oldest first. */
    public List<Overdue> overdue() {
        Instant now = clock.instant();
        return repository.open().stream()
                .flatMap(a -> a.overdue(now).map(m -> new Overdue(a, m)).stream()).toList();
    }

    private Alarm existing(long id) {
        return repository.find(id).orElseThrow(() -> new IllegalArgumentException("no alarm " + id));
    }
}
