package org.meterhub.engine.leak;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.vee.MeterClass;

/**
 * Leak-detection thresholds for one meter class: the {@link Params} of its class (or of its
 * medium) plus what follows from the class itself (burst flow from Qmax, block length from the
 * register resolution). Flows are in mL/h so that 0.5 L/h is exact; volumes in litres.
 */
public record LeakProfile(String className, Medium medium, Params params, long burstMinLph, int blockHours,
                          int nightBlockHours) {

    /** Most blocks in the hour floor's window (their smallest hours are kept per meter, 12 bits each). */
    public static final int MAX_FLOOR_BLOCKS = 6;
    /** Most hours in a row the hour floor can ask a block to hold its level (the meter's state keeps four hours). */
    public static final int MAX_FLOOR_HELD_HOURS = 4;

    /** Longest block of hours the continuous detector may need to see one register step. */
    public static final int MAX_BLOCK_HOURS = 4;

    public LeakProfile {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(params, "params");
        if (blockHours < 1 || blockHours > MAX_BLOCK_HOURS || nightBlockHours < 1 || nightBlockHours > MAX_BLOCK_HOURS) {
            throw new IllegalArgumentException("block hours 1.." + MAX_BLOCK_HOURS);
        }
    }

    /**
     * What a utility tunes, per medium or per meter class. Every number here is a setting
     * (gateway YAML {@code leak:}); the defaults and their reasons are in docs/leak-detection.md.
     *
     * @param continuousHours    continuous flow: this many hours in a row without a quiet block raise an alarm (0 = off)
     * @param continuousMinMlph  the smallest flow the continuous detector must see; with the register resolution
     *                           it sets the block length: a flow of r mL/h moves a register of resolution R mL
     *                           at least once in every ceil(R / r) hours
     * @param resolutionMl       the register's resolution (DN15 water meters with 1 L steps: 1000)
     * @param nightStartHour     night window start, local hour in the utility zone
     * @param nightEndHour       night window end, local hour, exclusive
     * @param nightMinMlph       night flow: a night's floor must reach at least this (0 = off)
     * @param nightMarginMlph    ... and this much above the household's own usual night floor
     * @param nights             flowing nights in a row before a night-flow alarm (once the baseline is learnt)
     * @param learnNights        complete nights before the household's own baseline is trusted
     * @param usualPercentile    the household's "usual" night floor is this percentile of its learnt nightly floors
     * @param steadyNightsOnly   night flow counts only when the night's hours are steady (a leak runs evenly;
     *                           a cycling gas boiler does not) — default on for gas
     * @param riseMlph           slow rise: the night floor this far above the household's median ... (0 = off)
     * @param riseNights         ... for this many nights in a row
     * @param burstPercentOfQmax burst: an hour at or above this share of the class's Qmax ...
     * @param burstFactor        ... and this many times the household's own 99.9th-percentile hour ...
     * @param burstHours         ... for this many hours in a row (1 is not enough: a catch-up after a stuck register is one hour)
     * @param severity2Hours     an open leak's severity rises to 2 after this many hours
     * @param severity3Hours     ... and to 3 after this many
     * @param updateHours        an open leak alarm is escalated with its volume lost so far at least this often
     * @param quietPercentile    continuous flow: an hour is quiet at or below this percentile of the household's
     *                           learnt nightly floors (the median: a shift worker's busy nights do not hide a leak)
     * @param continuousNights   continuous flow: steady nights inside the run, each at the run's own floor
     *                           (its smallest hour since the night before, within the tolerance), before an alarm
     * @param steadyAllBelowMlph a steady night with a floor below this has every one of its last (up to) four hours
     *                           at one level (random use and hour-split taps often repeat a level of a few litres);
     *                           at or above it, all but one (one hour of use forgiven)
     * @param floorMinMlph       hour floor (gas under a heating boiler): every hour of the last {@code floorHours} must
     *                           show at least this flow (0 = off) ...
     * @param floorMarginMlph    ... and this much above the household's usual floor (the running median of its
     *                           blocks' smallest hours, learnt outside leaks) ...
     * @param floorHours         ... (the window: a whole number of blocks, at most six) ...
     * @param floorBlocks        ... and at least this many of the window's blocks have their smallest hour at the
     *                           window's floor (within the tolerance): a leak puts one level under every hour its owner
     *                           does not use, a boiler's partly burnt hours wander
     * @param floorBlockHours    the blocks' length in hours (aligned on the hour count since the epoch)
     * @param floorTolerancePercent how far (percent of the floor, at least one register step) a block's smallest hour
     *                           may sit from the window's floor and still be "at the floor"
     * @param floorHeldHours     ... and at least one of the blocks at the floor held its smallest level (within the
     *                           tolerance) for this many known hours in a row (1 = any single hour; at most 4, the
     *                           hours a meter's state keeps): a leak holds its flow through every idle hour, a boiler's
     *                           partly burnt hour is the edge of a burn and lasts one hour ...
     * @param floorHeldBelowMlph ... for a window floor below this flow (0 = never asked): a partly burnt hour that
     *                           repeats a level to the litre is a thin slice of a burn, a few tens of litres
     */
    public record Params(int continuousHours, long continuousMinMlph, long resolutionMl, int nightStartHour,
                         int nightEndHour, long nightMinMlph, long nightMarginMlph, int nights, int learnNights,
                         int usualPercentile, boolean steadyNightsOnly, long riseMlph, int riseNights,
                         int burstPercentOfQmax, int burstFactor, int burstHours, int severity2Hours,
                         int severity3Hours, int updateHours, int quietPercentile, int continuousNights,
                         long steadyAllBelowMlph, long floorMinMlph, long floorMarginMlph, int floorHours,
                         int floorBlocks, int floorBlockHours, int floorTolerancePercent, int floorHeldHours,
                         long floorHeldBelowMlph) {
        /** The hour floor held two hours in a row below 100 L/h (the defaults). */
        public Params(int continuousHours, long continuousMinMlph, long resolutionMl, int nightStartHour,
                      int nightEndHour, long nightMinMlph, long nightMarginMlph, int nights, int learnNights,
                      int usualPercentile, boolean steadyNightsOnly, long riseMlph, int riseNights,
                      int burstPercentOfQmax, int burstFactor, int burstHours, int severity2Hours,
                      int severity3Hours, int updateHours, int quietPercentile, int continuousNights,
                      long steadyAllBelowMlph, long floorMinMlph, long floorMarginMlph, int floorHours,
                      int floorBlocks, int floorBlockHours, int floorTolerancePercent) {
            this(continuousHours, continuousMinMlph, resolutionMl, nightStartHour, nightEndHour, nightMinMlph,
                    nightMarginMlph, nights, learnNights, usualPercentile, steadyNightsOnly, riseMlph, riseNights,
                    burstPercentOfQmax, burstFactor, burstHours, severity2Hours, severity3Hours, updateHours,
                    quietPercentile, continuousNights, steadyAllBelowMlph, floorMinMlph, floorMarginMlph, floorHours,
                    floorBlocks, floorBlockHours, floorTolerancePercent, 2, 100_000);
        }

        /** Without the hour-floor detector (off). */
        public Params(int continuousHours, long continuousMinMlph, long resolutionMl, int nightStartHour,
                      int nightEndHour, long nightMinMlph, long nightMarginMlph, int nights, int learnNights,
                      int usualPercentile, boolean steadyNightsOnly, long riseMlph, int riseNights,
                      int burstPercentOfQmax, int burstFactor, int burstHours, int severity2Hours,
                      int severity3Hours, int updateHours, int quietPercentile, int continuousNights,
                      long steadyAllBelowMlph) {
            this(continuousHours, continuousMinMlph, resolutionMl, nightStartHour, nightEndHour, nightMinMlph,
                    nightMarginMlph, nights, learnNights, usualPercentile, steadyNightsOnly, riseMlph, riseNights,
                    burstPercentOfQmax, burstFactor, burstHours, severity2Hours, severity3Hours, updateHours,
                    quietPercentile, continuousNights, steadyAllBelowMlph, 0, 0, 72, 3, 12, 0);
        }

        public Params {
            check(continuousHours >= 0 && continuousHours <= 24 * 14, "continuous-hours", "0 (off) to 336");
            check(resolutionMl >= 1 && resolutionMl <= 100_000, "resolution-ml", "1 to 100000");
            if (continuousHours > 0) {
                check(continuousMinMlph >= 1, "continuous-min-flow-mlph", "at least 1");
                check(ceilDiv(resolutionMl, continuousMinMlph) <= MAX_BLOCK_HOURS, "continuous-min-flow-mlph",
                        "at least resolution / " + MAX_BLOCK_HOURS + " = " + ceilDiv(resolutionMl, MAX_BLOCK_HOURS)
                                + " mL/h (a register of " + resolutionMl + " mL cannot show less in " + MAX_BLOCK_HOURS + " h)");
            }
            check(nightStartHour >= 0 && nightStartHour < 24, "night-start-hour", "0 to 23");
            check(nightEndHour > nightStartHour && nightEndHour <= 24, "night-end-hour", "after night-start-hour, at most 24");
            check(nightMinMlph >= 0, "night-min-flow-mlph", "0 (off) or more");
            check(nightMarginMlph >= 0, "night-margin-mlph", "0 or more");
            check(nights >= 1 && nights <= 30, "nights", "1 to 30");
            check(learnNights >= 1 && learnNights <= 365, "learn-nights", "1 to 365");
            check(usualPercentile >= 50 && usualPercentile <= 100, "usual-percentile", "50 to 100");
            check(riseMlph >= 0, "rise-mlph", "0 (off) or more");
            check(riseNights >= 1 && riseNights <= 60, "rise-nights", "1 to 60");
            check(burstPercentOfQmax >= 1 && burstPercentOfQmax <= 200, "burst-percent-of-qmax", "1 to 200");
            check(burstFactor >= 1 && burstFactor <= 100, "burst-factor", "1 to 100");
            check(burstHours >= 1 && burstHours <= 48, "burst-hours", "1 to 48");
            check(severity2Hours >= 1, "severity2-hours", "at least 1");
            check(severity3Hours > severity2Hours, "severity3-hours", "more than severity2-hours");
            check(updateHours >= 1, "update-hours", "at least 1");
            check(quietPercentile >= 0 && quietPercentile <= 100, "quiet-percentile", "0 to 100");
            check(continuousNights >= 1 && continuousNights <= 14, "continuous-nights", "1 to 14");
            check(steadyAllBelowMlph >= 0, "steady-all-below-mlph", "0 or more");
            check(floorMinMlph == 0 || floorMinMlph >= resolutionMl, "floor-min-flow-mlph",
                    "0 (off) or at least resolution-ml per hour = " + resolutionMl + " mL/h (every hour must show the flow)");
            check(floorMinMlph <= 60_000_000L, "floor-min-flow-mlph", "at most 60000000 (60 m3/h)");
            check(floorMarginMlph >= 0, "floor-margin-mlph", "0 or more");
            check(floorBlockHours >= 1 && floorBlockHours <= 168, "floor-block-hours", "1 to 168");
            check(floorHours >= 24 && floorHours <= 336 && floorHours % floorBlockHours == 0
                    && floorHours / floorBlockHours >= 2 && floorHours / floorBlockHours <= MAX_FLOOR_BLOCKS, "floor-hours",
                    "24 to 336, two to " + MAX_FLOOR_BLOCKS + " whole blocks of floor-block-hours = " + floorBlockHours);
            check(floorBlocks >= 1 && floorBlocks <= floorHours / Math.max(1, floorBlockHours), "floor-blocks",
                    "1 to floor-hours / floor-block-hours = " + floorHours / Math.max(1, floorBlockHours));
            check(floorTolerancePercent >= 0 && floorTolerancePercent <= 100, "floor-tolerance-percent", "0 to 100");
            check(floorHeldHours >= 1 && floorHeldHours <= MAX_FLOOR_HELD_HOURS, "floor-held-hours",
                    "1 to " + MAX_FLOOR_HELD_HOURS + " (the hours a meter's state keeps)");
            check(floorHeldBelowMlph >= 0, "floor-held-below-mlph", "0 (never asked) or more");
        }

        /** Night window length in hours. */
        public int nightHours() {
            return nightEndHour - nightStartHour;
        }

        /**
         * Water (DN15 household meters, 1 L register steps): continuous flow of 1 L/h (the register's step
         * every hour) for 24 h; a steady night floor of 1 L/h above the household's own on two nights in a row;
         * a floor 0.3 L/h above its median for 7 nights (slow or sub-litre leaks); bursts of 3 h at 30 % of Qmax.
         */
        public static Params water() {
            return new Params(24, 1_000, 1_000, 1, 5, 1_000, 1_000, 2, 14, 90, true, 300, 7, 30, 4, 3, 72, 168, 24,
                    50, 1, 5_000);
        }

        /**
         * Gas: no continuous-flow detector (a heating boiler runs for days in winter); night flow of
         * 20 L/h above the household's own floor on three steady nights in a row at the same level, every
         * hour of each at the floor (a leak runs evenly, a boiler cycles and follows the weather, and its
         * onset in November finds a floor learnt in a warm autumn); a burst only at the meter's Qmax for 3 h: a
         * gas meter is sized for the appliances behind it, and a heating boiler (or a commercial converter's duty)
         * draws a large share of Qmax for hours, so 30 % of Qmax — before the household's own hours are learnt,
         * or when winter outgrows an autumn baseline — would close valves on heating.
         */
        public static Params gas() {
            return new Params(0, 20_000, 1_000, 1, 5, 20_000, 20_000, 3, 14, 90, true, 0, 7, 100, 4, 3, 72, 168, 24,
                    50, 1, Long.MAX_VALUE, 20_000, 20_000, 72, 3, 12, 0);
        }

        /** Heat: circuits flow all the time; bursts only. */
        public static Params heat() {
            return new Params(0, 1_000, 1_000, 1, 5, 0, 0, 1, 14, 90, false, 0, 7, 30, 4, 3, 72, 168, 24,
                    50, 1, 0);
        }

        public static Params defaults(Medium m) {
            return switch (m) {
                case WATER -> water();
                case GAS -> gas();
                case HEAT -> heat();
            };
        }

        private static void check(boolean ok, String field, String expected) {
            if (!ok) throw new IllegalArgumentException(field + ": expected " + expected);
        }
    }

    /** Params per medium, and per meter class name where a class differs from its medium. */
    public record Settings(Map<Medium, Params> byMedium, Map<String, Params> byClass) {
        public Settings {
            Map<Medium, Params> m = new EnumMap<>(Medium.class);
            for (Medium x : Medium.values()) m.put(x, byMedium.getOrDefault(x, Params.defaults(x)));
            byMedium = Map.copyOf(m);
            byClass = Map.copyOf(byClass);
        }

        public static Settings defaults() {
            return new Settings(Map.of(), Map.of());
        }

        /**
         * The configured class a meter's recorded type names (e.g. "DN20", as the import registers it or a utility
         * records it; case ignored), or null: so every class of the YAML's {@code leak.classes} reaches its meters.
         */
        public String classNamed(String meterType) {
            if (meterType == null || meterType.isBlank()) return null;
            String t = meterType.strip();
            for (String name : byClass.keySet()) if (name.equalsIgnoreCase(t)) return name;
            return null;
        }

        /** A class's params by its name, case ignored as in {@link #classNamed}: a YAML {@code dn15} reaches the default DN15 class too. */
        public Params paramsOf(MeterClass mc) {
            Params p = byClass.get(mc.name());
            if (p == null) {
                String named = classNamed(mc.name());
                if (named != null) p = byClass.get(named);
            }
            return p != null ? p : byMedium.get(mc.medium());
        }
    }

    public static LeakProfile of(MeterClass mc, Settings s) {
        Params p = s.paramsOf(mc);
        int block = (int) Math.max(1, Math.min(MAX_BLOCK_HOURS, ceilDiv(p.resolutionMl(), Math.max(1, p.continuousMinMlph()))));
        long burst = Math.max(1, mc.qmaxLph() * p.burstPercentOfQmax() / 100);
        // Night floors look at 2-hour blocks of a 1 L register: a 0.5 L/h flow still moves it once per block.
        int nightBlock = (int) Math.max(1, Math.min(MAX_BLOCK_HOURS, ceilDiv(p.resolutionMl(), 500)));
        return new LeakProfile(mc.name(), mc.medium(), p, burst, block, nightBlock);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
