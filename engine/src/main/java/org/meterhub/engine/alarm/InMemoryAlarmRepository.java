package org.meterhub.engine.alarm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link AlarmRepository} in memory, with every step kept, for tests and tools. */
public final class InMemoryAlarmRepository implements AlarmRepository {
    private final Map<Long, List<Alarm>> steps = new LinkedHashMap<>();
    private final Map<Long, List<String>> notes = new LinkedHashMap<>();
    private long nextId = 1;

    @Override
    public synchronized Alarm insert(Alarm a) {
        Alarm stored = new Alarm(nextId++, a.kind(), a.subject(), a.detail(), a.volumeLostL(), a.raisedAt(),
                a.acknowledgeBy(), a.resolveBy(), a.state(), a.acknowledgedAt(), a.acknowledgedBy(), a.resolvedAt(),
                a.resolvedBy(), a.resolution());
        steps.put(stored.id(), new ArrayList<>(List.of(stored)));
        return stored;
    }

    @Override
    public synchronized void transition(Alarm updated) {
        List<Alarm> s = steps.get(updated.id());
        if (s == null) throw new IllegalArgumentException("no alarm " + updated.id());
        s.add(updated);
    }

    @Override
    public synchronized void append(Alarm updated, java.time.Instant at, String actor, String note) {
        transition(updated);
        notes.computeIfAbsent(updated.id(), k -> new ArrayList<>()).add(note);
    }

    /** Notes of the alarm's appended engine steps (escalations, flow end), first to last. */
    public synchronized List<String> notes(long id) {
        return List.copyOf(notes.getOrDefault(id, List.of()));
    }

    @Override
    public synchronized Optional<Alarm> find(long id) {
        List<Alarm> s = steps.get(id);
        return s == null ? Optional.empty() : Optional.of(s.get(s.size() - 1));
    }

    @Override
    public synchronized List<Alarm> open() {
        return current().filter(Alarm::open).toList();
    }

    @Override
    public synchronized List<Alarm> bySubject(String subject) {
        return current().filter(a -> a.subject().equals(subject)).toList();
    }

    /** Every step of the alarm, first to last. */
    public synchronized List<Alarm> history(long id) {
        return List.copyOf(steps.getOrDefault(id, List.of()));
    }

    private java.util.stream.Stream<Alarm> current() {
        return steps.values().stream().map(s -> s.get(s.size() - 1))
                .sorted(Comparator.comparing(Alarm::raisedAt).thenComparingLong(Alarm::id));
    }
}
