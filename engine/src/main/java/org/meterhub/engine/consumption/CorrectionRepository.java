package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Where {@link IntervalCorrection}s are kept: append-only, a correction saved twice is kept once. */
public interface CorrectionRepository {

    void save(IntervalCorrection correction);

    /** The meter's corrections in sequence order. */
    List<IntervalCorrection> corrections(String meterId);

    /**
     * The meter's effective intervals with start in [from, to), oldest first: {@code base} (the store's base
     * intervals of that range) with the corrections applied in sequence order, as {@link IntervalLedger#effective}
     * and the stores' {@code consumption_effective} view compute them.
     */
    default List<ConsumptionInterval> effective(String meterId, Instant from, Instant to,
                                                Supplier<List<ConsumptionInterval>> base) {
        NavigableMap<Instant, ConsumptionInterval> view = new TreeMap<>();
        for (ConsumptionInterval i : base.get()) view.put(i.start(), i);
        for (IntervalCorrection c : corrections(meterId)) {
            if (!c.to().isAfter(from) || !c.from().isBefore(to)) continue;
            view.subMap(c.from(), true, c.to(), false).clear();
            for (ConsumptionInterval i : c.replacement()) {
                if (!i.start().isBefore(from) && i.start().isBefore(to)) view.put(i.start(), i);
            }
        }
        return new ArrayList<>(view.values());
    }
}
