package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The effective consumption of meters: base intervals as first written, with every
 * {@link IntervalCorrection} applied in sequence order. Nothing is overwritten: base intervals
 * and corrections are both kept, and {@link #effective} is computed from them, the same way the
 * {@code consumption_effective} view does in the stores (migration V3).
 */
public final class IntervalLedger implements CorrectionRepository {
    private final Map<String, NavigableMap<Instant, ConsumptionInterval>> base = new HashMap<>();
    private final Map<String, List<IntervalCorrection>> corrections = new HashMap<>();

    /** Adds base intervals; one already present at the same (meter, start) is kept (idempotent). */
    public synchronized void append(Collection<ConsumptionInterval> intervals) {
        for (ConsumptionInterval i : intervals) {
            base.computeIfAbsent(i.meterId(), k -> new TreeMap<>()).putIfAbsent(i.start(), i);
        }
    }

    public synchronized void correct(IntervalCorrection c) {
        List<IntervalCorrection> list = corrections.computeIfAbsent(c.meterId(), k -> new ArrayList<>());
        if (list.stream().noneMatch(x -> x.sequence() == c.sequence())) list.add(c);
    }

    @Override
    public void save(IntervalCorrection c) {
        correct(c);
    }

    @Override
    public synchronized List<IntervalCorrection> corrections(String meterId) {
        return corrections.getOrDefault(meterId, List.of()).stream()
                .sorted(Comparator.comparingLong(IntervalCorrection::sequence)).toList();
    }

    /** The meter's effective intervals, oldest first. */
    public synchronized List<ConsumptionInterval> effective(String meterId) {
        NavigableMap<Instant, ConsumptionInterval> view = new TreeMap<>(base.getOrDefault(meterId, new TreeMap<>()));
        for (IntervalCorrection c : corrections(meterId)) {
            view.subMap(c.from(), true, c.to(), false).clear();
            for (ConsumptionInterval i : c.replacement()) view.put(i.start(), i);
        }
        return List.copyOf(view.values());
    }
}
