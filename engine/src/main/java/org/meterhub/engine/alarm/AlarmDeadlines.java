package org.meterhub.engine.alarm;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Response deadlines per alarm category, from the domain rules as settings: a gas leak needs
 * someone on site within 30 min (acknowledging means "on site"), a fault is handled within 6 h
 * and repaired within 24 h. An empty duration means no deadline.
 */
public final class AlarmDeadlines {
    /** @param acknowledge until acknowledged (on site / handled); @param resolve until resolved (repaired) */
    public record Deadline(Optional<Duration> acknowledge, Optional<Duration> resolve) {
        public Deadline {
            Objects.requireNonNull(acknowledge, "acknowledge");
            Objects.requireNonNull(resolve, "resolve");
        }
    }

    private final Map<AlarmKind.Category, Deadline> byCategory;

    public AlarmDeadlines(Map<AlarmKind.Category, Deadline> byCategory) {
        this.byCategory = new EnumMap<>(byCategory);
    }

    public static AlarmDeadlines defaults() {
        Map<AlarmKind.Category, Deadline> m = new EnumMap<>(AlarmKind.Category.class);
        m.put(AlarmKind.Category.LEAK, new Deadline(Optional.of(Duration.ofMinutes(30)), Optional.of(Duration.ofHours(24))));
        m.put(AlarmKind.Category.FAULT, new Deadline(Optional.of(Duration.ofHours(6)), Optional.of(Duration.ofHours(24))));
        m.put(AlarmKind.Category.DATA, new Deadline(Optional.empty(), Optional.empty()));
        return new AlarmDeadlines(m);
    }

    public Deadline of(AlarmKind kind) {
        return byCategory.getOrDefault(kind.category(), new Deadline(Optional.empty(), Optional.empty()));
    }
}
