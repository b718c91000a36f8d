package org.meterhub.engine.console;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;

/**
 * The console's numbers that a utility decides (YAML {@code console:} section, docs/console.md).
 *
 * @param staleAfter        a meter whose last reading is older than this is stale on the Fleet page (every medium
 *                          not listed in {@code staleAfterByMedium})
 * @param staleAfterByMedium the same per medium, e.g. heat meters read every 15 minutes go stale sooner
 * @param busHealth         when a gateway's bus is degraded or down on the Gateways page
 */
public record ConsoleSettings(Duration staleAfter, Map<Medium, Duration> staleAfterByMedium,
                              org.meterhub.engine.gateways.GatewayHealth.Settings busHealth) {
    /** With the default bus-health thresholds. */
    public ConsoleSettings(Duration staleAfter, Map<Medium, Duration> staleAfterByMedium) {
        this(staleAfter, staleAfterByMedium, org.meterhub.engine.gateways.GatewayHealth.Settings.defaults());
    }

    /**
     * The default: 25 h. Remote meters are read at least daily (the slowest NB-IoT meters upload one batch a
     * day), so one missed daily upload plus an hour of slack for its jitter is the first sign of trouble; an
     * hourly-read meter is then a day overdue, which is what the office acts on, not on a single missed hour.
     */
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(25);
    /** Shorter than a minute would call a meter stale between two reads of the fastest poll. */
    static final Duration MIN = Duration.ofMinutes(1);
    /** Longer than this is not "stale" any more but a meter nobody reads; the coverage report counts those. */
    static final Duration MAX = Duration.ofDays(400);

    public ConsoleSettings {
        staleAfter = check("stale-after", Objects.requireNonNull(staleAfter, "staleAfter"));
        EnumMap<Medium, Duration> m = new EnumMap<>(Medium.class);
        Objects.requireNonNull(staleAfterByMedium, "staleAfterByMedium").forEach((medium, d) ->
                m.put(medium, check("stale-after-by-medium." + medium.name().toLowerCase(java.util.Locale.ROOT), d)));
        staleAfterByMedium = Map.copyOf(m);
        busHealth = busHealth != null ? busHealth : org.meterhub.engine.gateways.GatewayHealth.Settings.defaults();
    }

    public static ConsoleSettings defaults() {
        return new ConsoleSettings(DEFAULT_STALE_AFTER, Map.of());
    }

    /** When a meter of this medium counts as stale. */
    public Duration staleAfter(Medium medium) {
        return staleAfterByMedium.getOrDefault(medium, staleAfter);
    }

    private static Duration check(String field, Duration d) {
        if (d == null || d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(field + ": expected a duration from 1m to 400d, got "
                    + (d == null ? "nothing" : human(d)));
        }
        return d;
    }

    /** As the YAML writes durations: 25h, 90m, 30s. */
    static String human(Duration d) {
        if (!d.isZero() && d.toSecondsPart() == 0 && d.toMinutesPart() == 0) return d.toHours() + "h";
        if (!d.isZero() && d.toSecondsPart() == 0) return d.toMinutes() + "m";
        return d.toSeconds() + "s";
    }
}
