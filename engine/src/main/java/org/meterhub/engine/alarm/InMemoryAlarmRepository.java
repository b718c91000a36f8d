package org.meterhub.engine.alarm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.meterhub.engine.meter.Medium;

/** {@link AlarmRepository} in memory, with every step kept, for tests and tools. */
public final class InMemoryAlarmRepository implements AlarmRepository {
    private final Map<Long, Alarm> current = new LinkedHashMap<>();
    private final Map<Long, List<AlarmStep>> steps = new LinkedHashMap<>();
    private final Function<String, Optional<Medium>> media;
    private long nextId = 1;

    public InMemoryAlarmRepository() {
        this(s -> Optional.empty());
    }

    /** @param media what each subject measures (the deadline rules differ by medium) */
    public InMemoryAlarmRepository(Function<String, Optional<Medium>> media) {
        this.media = media;
    }

    @Override
    public synchronized Alarm insert(Alarm a) {
        Alarm stored = a.withId(nextId++);
        current.put(stored.id(), stored);
        steps.put(stored.id(), new ArrayList<>(List.of(
                new AlarmStep(1, stored.state(), Optional.empty(), stored.raisedAt(), "engine", ""))));
        return stored;
    }

    @Override
    public synchronized void append(Alarm after, List<AlarmStep> added) {
        List<AlarmStep> s = steps.get(after.id());
        if (s == null) throw new IllegalArgumentException("no alarm " + after.id());
        for (AlarmStep step : added) {
            s.add(new AlarmStep(s.size() + 1, step.state(), step.milestone(), step.at(), step.actor(), step.note()));
        }
        current.put(after.id(), after);
    }

    /** Notes of the alarm's steps after the raise, first to last. */
    public synchronized List<String> notes(long id) {
        return history(id).stream().skip(1).map(AlarmStep::note).toList();
    }

    @Override
    public synchronized Optional<Alarm> find(long id) {
        return Optional.ofNullable(current.get(id));
    }

    @Override
    public synchronized List<Alarm> open() {
        return sorted().filter(Alarm::open).toList();
    }

    @Override
    public synchronized List<Alarm> bySubject(String subject) {
        return sorted().filter(a -> a.subject().equals(subject)).toList();
    }

    @Override
    public synchronized List<AlarmStep> history(long id) {
        return List.copyOf(steps.getOrDefault(id, List.of()));
    }

    @Override
    public synchronized List<DeadlineShare> deadlineShares(Instant from, Instant to) {
        record Key(AlarmKind kind, String rule, Milestone milestone) { }
        // the order of the store's query: kind and rule by name, then the milestones in order
        Map<Key, long[]> counts = new TreeMap<>(Comparator.comparing((Key k) -> k.kind().name()).thenComparing(Key::rule)
                .thenComparing(Key::milestone));
        for (Alarm a : current.values()) {
            Instant closed = a.resolvedAt().orElse(null);
            if (closed == null || closed.isBefore(from) || !closed.isBefore(to)) continue;
            for (Milestone m : a.due().keySet()) {
                long[] c = counts.computeIfAbsent(new Key(a.kind(), a.rule(), m), k -> new long[2]);
                c[0]++;
                if (a.met(m).orElse(false)) c[1]++;
            }
        }
        List<DeadlineShare> out = new ArrayList<>();
        counts.forEach((k, c) -> out.add(new DeadlineShare(k.kind(), k.rule(), k.milestone(), c[0], c[1])));
        return out;
    }

    @Override
    public Optional<Medium> mediumOf(String subject) {
        return media.apply(subject);
    }

    private java.util.stream.Stream<Alarm> sorted() {
        return current.values().stream().sorted(Comparator.comparing(Alarm::raisedAt).thenComparingLong(Alarm::id));
    }
}
