package org.meterhub.app.config;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.leak.ValvePolicy;
import org.meterhub.engine.meter.Medium;

/**
 * The gateway YAML's {@code leak:} section (docs/leak-detection.md): detector thresholds per medium
 * ({@code water}, {@code gas}, {@code heat}) and per meter class ({@code classes: {DN20: {medium: water,
 * ...}}}), each field optional over the medium's defaults; and which alarm kinds may close a valve
 * ({@code valve-close-on}; by default never night flow or a floor rise alone); and {@code enabled} (default true):
 * false runs ingest without the leak detectors (nothing else of ingest changes; {@code IngestRules.Options#withLeakDetection}).
 */
public record LeakSection(Thresholds water, Thresholds gas, Thresholds heat, Map<String, Thresholds> classes,
                          List<String> valveCloseOn, Boolean enabled) {
    /** With the detectors on. */
    public LeakSection(Thresholds water, Thresholds gas, Thresholds heat, Map<String, Thresholds> classes,
                       List<String> valveCloseOn) {
        this(water, gas, heat, classes, valveCloseOn, null);
    }

    public LeakSection {
        enabled = enabled == null || enabled; // on unless the file says false: a leak must not go unseen by default
        classes = classes != null ? Map.copyOf(classes) : Map.of();
        for (Map.Entry<String, Thresholds> c : classes.entrySet()) {
            if (c.getValue().medium() == null) {
                throw new IllegalArgumentException("classes: class \"" + c.getKey() + "\" needs medium: water, gas or heat");
            }
        }
        // Validate the merged thresholds here too: the section is built once its fields are read.
        check("water", water, Medium.WATER);
        check("gas", gas, Medium.GAS);
        check("heat", heat, Medium.HEAT);
        for (Map.Entry<String, Thresholds> c : classes.entrySet()) check("classes." + c.getKey(), c.getValue(), null);
        if (valveCloseOn != null) {
            valveCloseOn = List.copyOf(valveCloseOn);
            for (String k : valveCloseOn) alarmKind(k);
        }
    }

    private static void check(String name, Thresholds t, Medium m) {
        if (t == null) return;
        try {
            t.over(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "." + e.getMessage());
        }
    }

    public static LeakSection defaults() {
        return new LeakSection(null, null, null, null, null);
    }

    public LeakProfile.Settings settings() {
        Map<Medium, LeakProfile.Params> media = new EnumMap<>(Medium.class);
        if (water != null) media.put(Medium.WATER, water.over(Medium.WATER));
        if (gas != null) media.put(Medium.GAS, gas.over(Medium.GAS));
        if (heat != null) media.put(Medium.HEAT, heat.over(Medium.HEAT));
        Map<String, LeakProfile.Params> byClass = new LinkedHashMap<>();
        for (Map.Entry<String, Thresholds> c : classes.entrySet()) byClass.put(c.getKey(), c.getValue().over(null));
        return new LeakProfile.Settings(media, byClass);
    }

    public ValvePolicy valves() {
        if (valveCloseOn == null) return ValvePolicy.defaults();
        Set<AlarmKind> kinds = EnumSet.noneOf(AlarmKind.class);
        for (String k : valveCloseOn) kinds.add(alarmKind(k));
        return new ValvePolicy(true, kinds);
    }

    private static AlarmKind alarmKind(String k) {
        try {
            AlarmKind a = AlarmKind.valueOf(k.replace('-', '_').toUpperCase(java.util.Locale.ROOT));
            if (a.category() != AlarmKind.Category.LEAK) throw new IllegalArgumentException();
            return a;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("valve-close-on: expected leak alarm kinds such as burst, continuous-flow,"
                    + " night-flow, floor-rise, gas-detector, got \"" + k + "\"");
        }
    }

    /** Every field optional: what is not given comes from the medium's defaults ({@link LeakProfile.Params}). */
    public record Thresholds(String medium, Integer continuousHours, Long continuousMinFlowMlph, Long resolutionMl,
                             Integer nightStartHour, Integer nightEndHour, Long nightMinFlowMlph, Long nightMarginMlph,
                             Integer nights, Integer learnNights, Integer usualPercentile, Boolean steadyNightsOnly,
                             Long riseMlph, Integer riseNights, Integer burstPercentOfQmax, Integer burstFactor,
                             Integer burstHours, Integer severity2Hours, Integer severity3Hours, Integer updateHours,
                             Integer quietPercentile, Integer continuousNights, Long steadyAllBelowMlph,
                             Long floorMinFlowMlph, Long floorMarginMlph, Integer floorHours, Integer floorBlocks,
                             Integer floorBlockHours, Integer floorTolerancePercent, Integer floorHeldHours,
                             Long floorHeldBelowMlph) {
        public Thresholds {
            if (medium != null) medium(medium);
            over(null); // validate now, so the error names this section's line
        }

        private static Medium medium(String m) {
            return switch (m) {
                case "water" -> Medium.WATER;
                case "gas" -> Medium.GAS;
                case "heat" -> Medium.HEAT;
                default -> throw new IllegalArgumentException("medium: expected water, gas or heat, got \"" + m + "\"");
            };
        }

        LeakProfile.Params over(Medium section) {
            Medium m = medium != null ? medium(medium) : section != null ? section : Medium.WATER;
            LeakProfile.Params d = LeakProfile.Params.defaults(m);
            return new LeakProfile.Params(
                    or(continuousHours, d.continuousHours()), or(continuousMinFlowMlph, d.continuousMinMlph()),
                    or(resolutionMl, d.resolutionMl()), or(nightStartHour, d.nightStartHour()),
                    or(nightEndHour, d.nightEndHour()), or(nightMinFlowMlph, d.nightMinMlph()),
                    or(nightMarginMlph, d.nightMarginMlph()), or(nights, d.nights()), or(learnNights, d.learnNights()),
                    or(usualPercentile, d.usualPercentile()),
                    steadyNightsOnly != null ? steadyNightsOnly : d.steadyNightsOnly(), or(riseMlph, d.riseMlph()),
                    or(riseNights, d.riseNights()), or(burstPercentOfQmax, d.burstPercentOfQmax()),
                    or(burstFactor, d.burstFactor()), or(burstHours, d.burstHours()),
                    or(severity2Hours, d.severity2Hours()), or(severity3Hours, d.severity3Hours()),
                    or(updateHours, d.updateHours()), or(quietPercentile, d.quietPercentile()),
                    or(continuousNights, d.continuousNights()),
                    or(steadyAllBelowMlph, d.steadyAllBelowMlph()), or(floorMinFlowMlph, d.floorMinMlph()),
                    or(floorMarginMlph, d.floorMarginMlph()), or(floorHours, d.floorHours()),
                    or(floorBlocks, d.floorBlocks()), or(floorBlockHours, d.floorBlockHours()),
                    or(floorTolerancePercent, d.floorTolerancePercent()), or(floorHeldHours, d.floorHeldHours()),
                    or(floorHeldBelowMlph, d.floorHeldBelowMlph()));
        }

        private static int or(Integer v, int d) {
            return v != null ? v : d;
        }

        private static long or(Long v, long d) {
            return v != null ? v : d;
        }
    }
}
