package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;

/** A {@link ReadingHistory} held in memory, for tests and small tools. First reading at a time wins. */
public final class InMemoryReadingHistory implements ReadingHistory {
    private final Map<String, NavigableMap<Instant, Reading>> byMeter = new HashMap<>();

    public void add(Reading r) {
        if (r.source() == ReadingSource.ESTIMATED) return;
        byMeter.computeIfAbsent(r.meterId(), k -> new TreeMap<>()).putIfAbsent(r.time(), r);
    }

    @Override
    public Optional<Reading> latestBefore(String meterId, Instant time) {
        NavigableMap<Instant, Reading> m = byMeter.get(meterId);
        return m == null ? Optional.empty() : Optional.ofNullable(m.lowerEntry(time)).map(Map.Entry::getValue);
    }

    @Override
    public Optional<Reading> earliestAfter(String meterId, Instant time) {
        NavigableMap<Instant, Reading> m = byMeter.get(meterId);
        return m == null ? Optional.empty() : Optional.ofNullable(m.higherEntry(time)).map(Map.Entry::getValue);
    }

    @Override
    public boolean contains(String meterId, Instant time) {
        NavigableMap<Instant, Reading> m = byMeter.get(meterId);
        return m != null && m.containsKey(time);
    }
}
