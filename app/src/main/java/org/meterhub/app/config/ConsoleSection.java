package org.meterhub.app.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.meterhub.engine.console.ConsoleSettings;
import org.meterhub.engine.meter.Medium;

/**
 * The web console's settings: the gateway YAML's {@code console:} section (the demo's), or a file of its own
 * ({@code engine --console-settings FILE}); every field optional (docs/console.md):
 * <pre>
 * stale-after: 25h             # a meter with no reading for longer is stale on the Fleet page
 * heat: {stale-after: 2h}      # per medium (gas, water, heat), over the line above
 * bus-health: {degraded-percent: 20, down-percent: 100}   # a gateway's bus on the Gateways page
 * </pre>
 */
public record ConsoleSection(Duration staleAfter, MediumSection gas, MediumSection water, MediumSection heat,
                             BusHealthSection busHealth) {
    public ConsoleSection(Duration staleAfter, MediumSection gas, MediumSection water, MediumSection heat) {
        this(staleAfter, gas, water, heat, null);
    }

    /** When a bus counts as degraded or down: failed polls in the gateway's window, in percent of all its polls. */
    public record BusHealthSection(Integer degradedPercent, Integer downPercent) {
        public BusHealthSection {
            settings(degradedPercent, downPercent); // a bad value is an error naming the field
        }

        static org.meterhub.engine.gateways.GatewayHealth.Settings settings(Integer degraded, Integer down) {
            return new org.meterhub.engine.gateways.GatewayHealth.Settings(
                    degraded != null ? degraded : org.meterhub.engine.gateways.GatewayHealth.Settings.DEFAULT_DEGRADED_PERCENT,
                    down != null ? down : org.meterhub.engine.gateways.GatewayHealth.Settings.DEFAULT_DOWN_PERCENT);
        }
    }

    public ConsoleSection {
        staleAfter = staleAfter != null ? staleAfter : ConsoleSettings.DEFAULT_STALE_AFTER;
        new ConsoleSettings(staleAfter, Map.of()); // a bad value is an error naming stale-after
    }

    /** One medium's own threshold. */
    public record MediumSection(Duration staleAfter) {
        public MediumSection {
            if (staleAfter == null) throw new IllegalArgumentException("stale-after: expected a duration such as 25h");
            new ConsoleSettings(staleAfter, Map.of());
        }
    }

    public static ConsoleSection defaults() {
        return new ConsoleSection(null, null, null, null, null);
    }

    /** The file, or the defaults when {@code file} is null; a bad value is a one-line error naming the field. */
    public static ConsoleSection load(Path file) {
        return file == null ? defaults() : new ConfigLoader().load(file, ConsoleSection.class);
    }

    public ConsoleSettings settings() {
        Map<Medium, Duration> byMedium = new EnumMap<>(Medium.class);
        if (gas != null) byMedium.put(Medium.GAS, gas.staleAfter());
        if (water != null) byMedium.put(Medium.WATER, water.staleAfter());
        if (heat != null) byMedium.put(Medium.HEAT, heat.staleAfter());
        return new ConsoleSettings(staleAfter, byMedium, busHealth == null
                ? org.meterhub.engine.gateways.GatewayHealth.Settings.defaults()
                : BusHealthSection.settings(busHealth.degradedPercent(), busHealth.downPercent()));
    }
}
