package org.meterhub.engine.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How long each part of a page took on the server, sent with the page as a W3C {@code Server-Timing}
 * header ({@code readings;dur=12.3, flags;dur=4.1, …}, milliseconds): a browser's developer tools
 * show it beside the request, and {@code ConsolePageLoad} collects it per part. Only the part names
 * and durations, nothing of the meter's data. Safe to use from several threads.
 */
final class PartTimes {
    private final List<String> entries = new ArrayList<>();

    /** Runs the part and records how long it took (also when it throws). */
    <T> T time(String name, Supplier<T> part) {
        long t0 = System.nanoTime();
        try {
            return part.get();
        } finally {
            record(name, System.nanoTime() - t0);
        }
    }

    void record(String name, long nanos) {
        String entry = String.format(Locale.ROOT, "%s;dur=%.2f", name, nanos / 1e6);
        synchronized (entries) {
            entries.add(entry);
        }
    }

    /** The header's value, in the order the parts finished; empty when nothing was timed. */
    String header() {
        synchronized (entries) {
            return String.join(", ", entries);
        }
    }
}
