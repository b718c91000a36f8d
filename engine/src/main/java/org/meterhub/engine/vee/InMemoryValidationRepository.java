package org.meterhub.engine.vee;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link ValidationRepository} in memory, for tests and tools; optionally keeping only the latest flags. */
public final class InMemoryValidationRepository implements ValidationRepository {
    private record Key(String meterId, Instant time, FlagKind kind) {
    }

    private final Map<Key, ValidationFlag> flags;

    public InMemoryValidationRepository() {
        this(Integer.MAX_VALUE);
    }

    /** Keeps at most {@code maxFlags}, forgetting the oldest: bounded memory for a long-running process. */
    public InMemoryValidationRepository(int maxFlags) {
        if (maxFlags < 1) throw new IllegalArgumentException("maxFlags must be positive");
        this.flags = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ValidationFlag> eldest) {
                return size() > maxFlags;
            }
        };
    }

    @Override
    public synchronized void save(List<ValidationFlag> list) {
        for (ValidationFlag f : list) flags.putIfAbsent(new Key(f.meterId(), f.readingTime(), f.kind()), f);
    }

    @Override
    public synchronized List<ValidationFlag> flags(String meterId, Instant from, Instant to) {
        return flags.values().stream().filter(f -> f.meterId().equals(meterId)
                        && !f.readingTime().isBefore(from) && f.readingTime().isBefore(to))
                .sorted(Comparator.comparing(ValidationFlag::readingTime).thenComparing(ValidationFlag::kind)).toList();
    }

    @Override
    public synchronized List<ValidationFlag> flagsOfKind(FlagKind kind, Instant from, Instant to) {
        return flags.values().stream().filter(f -> f.kind() == kind
                        && !f.detectedAt().isBefore(from) && f.detectedAt().isBefore(to))
                .sorted(Comparator.comparing(ValidationFlag::detectedAt).thenComparing(ValidationFlag::meterId)).toList();
    }
}
