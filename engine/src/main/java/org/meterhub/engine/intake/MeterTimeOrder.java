package org.meterhub.engine.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's readings in time order per meter. Batched uplinks (protocols.md §3) can reach the engine
 * out of order, e.g. a meter's re-sent day behind its next day in the same batch; the engine's rules
 * (consumption, leak detection) look forward, so a late reading only gets a correction and its hours
 * are never judged by the leak detectors. Put back in order here, the batch is an ordinary in-order
 * series for every meter. Readings of different meters keep no particular order (none is needed).
 */
final class MeterTimeOrder {
    private static final Comparator<BatchEntry> BY_METER_AND_TIME =
            Comparator.comparing((BatchEntry e) -> e.reading().meterId()).thenComparing(e -> e.reading().time());

    private MeterTimeOrder() {
    }

    /** The same list when every meter's readings are already in time order (the usual case: one pass, no copy). */
    static List<BatchEntry> of(List<BatchEntry> entries) {
        if (entries.size() < 2 || inOrder(entries)) return entries;
        List<BatchEntry> sorted = new ArrayList<>(entries);
        sorted.sort(BY_METER_AND_TIME); // stable: two readings of a meter at one time keep their order
        return sorted;
    }

    private static boolean inOrder(List<BatchEntry> entries) {
        Map<String, Instant> last = new HashMap<>();
        for (BatchEntry e : entries) {
            Instant t = e.reading().time();
            Instant before = last.put(e.reading().meterId(), t);
            if (before != null && t.isBefore(before)) return false;
        }
        return true;
    }
}
