package org.meterhub.engine.evc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@link EvcRepository} in memory (tests, tools): at most {@code perMeter} latest samples of each meter. */
public final class InMemoryEvcRepository implements EvcRepository {
    private final Map<String, TreeMap<Instant, EvcSample>> byMeter = new HashMap<>();
    private final int perMeter;

    public InMemoryEvcRepository(int perMeter) {
        if (perMeter < 1) throw new IllegalArgumentException("perMeter must be positive");
        this.perMeter = perMeter;
    }

    @Override
    public synchronized void save(List<EvcSample> samples) {
        for (EvcSample s : samples) {
            TreeMap<Instant, EvcSample> m = byMeter.computeIfAbsent(s.meterId(), k -> new TreeMap<>());
            m.putIfAbsent(s.time(), s);
            while (m.size() > perMeter) m.pollFirstEntry();
        }
    }

    @Override
    public synchronized Optional<EvcSample> lastBefore(String meterId, Instant before) {
        TreeMap<Instant, EvcSample> m = byMeter.get(meterId);
        if (m == null) return Optional.empty();
        Map.Entry<Instant, EvcSample> e = m.lowerEntry(before);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    @Override
    public synchronized List<EvcSample> samples(String meterId, Instant from, Instant to) {
        TreeMap<Instant, EvcSample> m = byMeter.get(meterId);
        return m == null || !from.isBefore(to) ? List.of() : new ArrayList<>(m.subMap(from, true, to, false).values());
    }
}
