package org.meterhub.engine.leak;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;

/**
 * Streaming leak detectors over each meter's hour-split consumption intervals, with a baseline
 * per household learnt online in bounded memory (two small histograms: its nightly floor and its
 * hourly use). An hour is judged when the first interval of a later hour arrives ({@link #flush}
 * judges the last one). Hours whose volume was spread over a reading gap ({@link IntervalFlag#SPREAD})
 * are unknown: they break runs and nights, never count as flow.
 *
 * <p>Detectors (thresholds in {@link LeakProfile.Params}):
 * <ul>
 * <li>continuous flow — hours in a row with no quiet block: a block is {@code blockHours} hours
 *     (enough for the slowest flow to move the register once), quiet means at or below the household's
 *     usual night floor (zero until learnt);</li>
 * <li>night flow — the night window's floor (smallest block, per hour) at least the margin above the
 *     household's usual floor (a percentile of its own past nights) and at least the minimum; nights in the
 *     utility's zone, daylight saving included;</li>
 * <li>floor rise — the floor a smaller step above the household's median for many nights in a row;</li>
 * <li>burst — hours at or above a share of Qmax and a multiple of the household's 99.9th-percentile hour.</li>
 * </ul>
 * A flow episode (continuous, night or rise — one leak, one alarm) {@link Phase#START}s once, then
 * {@link Phase#UPDATE}s when its severity rises or every {@code updateHours} with the volume lost so far,
 * and {@link Phase#END}s when the flow returns to quiet, with the total volume lost. Another
 * detector's finding during an episode is evidence on it, not a second alarm. Bursts are their own
 * episodes. Single-threaded.
 */
public final class LeakDetector {

    public enum Phase { START, UPDATE, END }

    /**
     * One step of a leak episode.
     *
     * @param sinceMs  when the flow began (the detector's best estimate)
     * @param rateMlph the leak flow above the household's own quiet level, mL/h
     * @param lostL    litres lost so far (at END: in total)
     * @param severity 1..3 (rises with duration; a burst is 3)
     * @param evidence the hours, rates and baseline behind it
     */
    public record Event(Phase phase, LeakKind kind, long atMs, long sinceMs, long rateMlph, long lostL, int severity,
                        String evidence) {
    }

    @FunctionalInterface
    public interface EventSink {
        void event(int slot, Event e);
    }

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;
    private static final int SPREAD = IntervalSink.bit(IntervalFlag.SPREAD);
    private static final int NONE = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;
    /** Lower bin edges of the nightly floor histogram, mL/h. */
    static final int[] NIGHT_EDGES = {0, 1, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000, 16_000,
        32_000, 128_000, 512_000};
    /** Lower bin edges of the hourly use histogram, litres. */
    static final int[] HOUR_EDGES = {0, 1, 2, 3, 5, 8, 13, 20, 35, 60, 100, 200, 400, 800, 2_000, 6_000};
    private static final int HIST_HALVE_AT = 60_000;

    /** Per-meter state: about 210 bytes with its histogram array (see {@link #perMeterBytes()}). Times are epoch hours. */
    private static final class State {
        int curHour = NONE;
        int curL;
        boolean curUnknown;
        long recent;          // the last four known hours, 16 bits each, newest lowest
        byte knownInRow;
        byte quietRun;
        int flowHours;
        int runMinBlock = MAX;
        int runMinL;
        int steadyNightEndH = NONE; // end of the last night whose hours sat at one nonzero level
        byte runSteadyNights;  // steady nights inside the current run at the run's own floor
        int dayMinL = MAX;     // smallest known hour since the last night was judged
        int usualMlph;         // cached quantiles of the night histogram (recomputed when it changes)
        int quietMlph;
        int runStartH;
        int nightDay = NONE;
        int nightEvaluated = NONE;
        byte nightHours;
        byte nightInRow;
        boolean nightBroken;
        int nightMinBlock = MAX;
        int nightMinL = MAX;
        int nightMaxL;
        int lastNightFloor;
        byte flaggedNights;
        int flaggedFloor;
        int lastFlaggedDay = NONE;
        byte riseNights;
        int lastRiseDay = NONE;
        short nightsLearnt;
        int hoursLearnt;
        final char[] hist = new char[NIGHT_EDGES.length + HOUR_EDGES.length];
        short burstRun;
        int burstStartH;
        int burstL;
        boolean burstActive;
        byte flowKind = -1;   // LeakKind ordinal, -1 none
        int flowStartH;
        int flowRateMlph;
        long lostMl;
        int lastUpdateH;
        byte severity;
        byte evidenceKind = -1; // the detector behind the latest evidence

        LeakKind flow() {
            return flowKind < 0 ? null : KINDS[flowKind];
        }
    }

    private static final LeakKind[] KINDS = LeakKind.values();
    /** How far above a floor of {@code floorL} an hour still counts as "at the floor": two steps or a quarter. */
    private static int tolerance(int floorL, LeakProfile.Params q) {
        int res = (int) Math.max(1, q.resolutionMl() / 1000);
        return Math.max(2 * res, floorL / 4);
    }

    private final UtilityTime time;
    private State[] states;

    public LeakDetector(ZoneId zone, int expectedMeters) {
        this.time = new UtilityTime(zone);
        this.states = new State[Math.max(16, expectedMeters)];
    }

    public UtilityTime time() {
        return time;
    }

    /** One interval of the meter in {@code slot}, as the consumption calculator produced it. */
    public void onInterval(int slot, long startMs, long endMs, long volumeL, int flags, LeakProfile p, EventSink sink) {
        State s = state(slot);
        int hour = (int) Math.floorDiv(startMs, HOUR);
        if (s.curHour == NONE || hour > s.curHour) {
            if (s.curHour != NONE) completeHour(slot, s, s.curHour, p, sink);
            s.curHour = hour;
            s.curL = 0;
            s.curUnknown = false;
        } else if (hour < s.curHour) {
            return; // a corrected past hour: detectors look forward only
        }
        if ((flags & SPREAD) != 0) s.curUnknown = true;
        s.curL = (int) Math.min(MAX, s.curL + volumeL);
    }

    /** Judges the meter's current hour now (end of a replay); later intervals of that hour are ignored. */
    public void flush(int slot, LeakProfile p, EventSink sink) {
        if (slot >= states.length || states[slot] == null) return;
        State s = states[slot];
        if (s.curHour == NONE) return;
        completeHour(slot, s, s.curHour, p, sink);
        s.curHour++;
        s.curL = 0;
        s.curUnknown = true;
    }

    /** The household's learnt usual night floor (mL/h) at the profile's percentile, or -1 while not yet trusted. */
    public long usualNightFloorMlph(int slot, LeakProfile p) {
        if (slot >= states.length || states[slot] == null) return -1;
        State s = states[slot];
        return trusted(s, p) ? nightQuantile(s, p.params().usualPercentile() * 10) : -1;
    }

    /** The kind of the meter's open flow episode, or null if none. */
    public LeakKind openFlow(int slot) {
        return slot < states.length && states[slot] != null ? states[slot].flow() : null;
    }

    private void completeHour(int slot, State s, int hour, LeakProfile p, EventSink sink) {
        LeakProfile.Params q = p.params();
        long startMs = hour * HOUR;
        int localHour = time.localHour(startMs);
        int localDay = time.localDay(startMs);
        int b = p.blockHours();
        boolean unknown = s.curUnknown;
        int v = s.curL;
        long usual = s.usualMlph;
        long quietL = s.quietMlph / 1000;
        if (unknown) {
            s.knownInRow = 0;
            s.quietRun = 0;
            s.flowHours = 0;
            s.runMinBlock = MAX;
            s.runSteadyNights = 0;
            s.dayMinL = MAX;
            s.burstRun = 0;
        } else {
            s.recent = (s.recent << 16) | Math.min(v, 0xFFFF);
            if (s.knownInRow < 100) s.knownInRow++;
            boolean quiet = v <= quietL;
            s.quietRun = quiet ? (byte) Math.min(100, s.quietRun + 1) : 0;
            // An open leak ends after a quiet block as long as the slowest flow any detector sees needs.
            if (s.flowKind >= 0 && s.quietRun >= Math.max(b, p.nightBlockHours())) endFlow(slot, s, hour + 1 - s.quietRun, sink);
            if (s.quietRun >= b) {
                s.flowHours = 0;
                s.runMinBlock = MAX;
                s.runSteadyNights = 0;
            } else if (s.flowHours > 0 || !quiet) {
                if (s.flowHours == 0) s.runStartH = hour;
                s.flowHours++;
                if (s.flowHours >= b && s.knownInRow >= b) s.runMinBlock = Math.min(s.runMinBlock, block(s, b));
                if (s.flowHours >= 2) s.runMinL = s.flowHours == 2 ? v : Math.min(s.runMinL, v); // 1st hour may be partial
                if (q.continuousHours() > 0 && s.flowHours >= q.continuousHours() && s.flowKind < 0
                        && s.runMinBlock != MAX && s.runSteadyNights >= q.continuousNights()) {
                    long rate = Math.max(0, floor(s.runMinBlock, b, s.runMinL) - quietL * 1000);
                    startFlow(slot, s, p, LeakKind.CONTINUOUS_FLOW, s.runStartH, hour + 1, rate, usual, sink);
                }
            }
            s.dayMinL = s.flowHours > 0 ? Math.min(s.dayMinL, v) : MAX; // the run's hours since the last night
            burst(slot, s, p, hour, v, sink);
            if (s.flowKind < 0 && !s.burstActive) {
                add(s.hist, NIGHT_EDGES.length, HOUR_EDGES, v);
                s.hoursLearnt = Math.min(MAX - 1, s.hoursLearnt + 1);
            }
            if (s.flowKind >= 0 && !quiet) progress(slot, s, p, hour + 1, usual, sink); // a quiet hour lost nothing
        }
        if (localHour >= q.nightStartHour() && localHour < q.nightEndHour()) {
            if (s.nightDay != localDay) {
                s.nightDay = localDay;
                s.nightHours = 0;
                s.nightInRow = 0;
                s.nightBroken = false;
                s.nightMinBlock = MAX;
                s.nightMinL = MAX;
                s.nightMaxL = 0;
            }
            if (unknown) {
                s.nightBroken = true;
                s.nightInRow = 0;
            } else {
                s.nightHours++;
                s.nightInRow++;
                s.nightMinL = Math.min(s.nightMinL, v);
                s.nightMaxL = Math.max(s.nightMaxL, v);
                if (s.nightInRow >= p.nightBlockHours()) {
                    s.nightMinBlock = Math.min(s.nightMinBlock, block(s, p.nightBlockHours()));
                }
            }
            if (localHour == q.nightEndHour() - 1 && s.nightEvaluated != localDay) {
                s.nightEvaluated = localDay;
                night(slot, s, p, localDay, hour + 1, sink);
            }
        }
    }

    private void night(int slot, State s, LeakProfile p, int localDay, int endH, EventSink sink) {
        LeakProfile.Params q = p.params();
        int b = p.nightBlockHours();
        if (s.nightBroken || s.nightHours < q.nightHours() - 1 || s.nightMinBlock == MAX) return;
        long floor = floor(s.nightMinBlock, b, s.nightMinL);
        s.lastNightFloor = (int) Math.min(MAX, floor);
        boolean trusted = trusted(s, p);
        long usual = trusted ? nightQuantile(s, q.usualPercentile() * 10) : 0;
        long median = trusted ? nightQuantile(s, 500) : 0;
        boolean steady = steady(s, q, p.nightBlockHours());
        if (steady) s.steadyNightEndH = endH;
        if (steady && s.flowHours >= Math.min(4, s.nightHours)
                && nightLevel(s) <= s.dayMinL + tolerance(s.dayMinL, q)) {
            s.runSteadyNights = (byte) Math.min(100, s.runSteadyNights + 1);
        }
        s.dayMinL = MAX;
        boolean shape = !q.steadyNightsOnly() || steady;
        // Until the household's own floor is learnt, a night counts only at twice the minimum.
        long threshold = trusted ? Math.max(q.nightMinMlph(), usual + q.nightMarginMlph()) : 2 * q.nightMinMlph();
        boolean flagged = q.nightMinMlph() > 0 && shape && floor >= threshold;
        if (flagged) {
            // A leak runs at one rate night after night; a boiler follows the weather, a night owl their evening.
            boolean sameLevel = s.lastFlaggedDay == localDay - 1
                    && Math.abs(floor - s.flaggedFloor) <= Math.max(2 * q.resolutionMl(), s.flaggedFloor / 4);
            s.flaggedNights = (byte) (sameLevel ? Math.min(100, s.flaggedNights + 1) : 1);
            if (s.flaggedNights == 1) s.flaggedFloor = (int) Math.min(MAX, floor);
            s.lastFlaggedDay = localDay;
            if (s.flowKind < 0 && s.flaggedNights >= q.nights()) {
                int since = endH - (s.flaggedNights - 1) * 24 - s.nightHours;
                startFlow(slot, s, p, LeakKind.NIGHT_FLOW, since, endH, floor - usual, usual, sink);
            } else if (s.flowKind >= 0) {
                s.flowRateMlph = (int) Math.max(s.flowRateMlph, floor - usual);
                s.evidenceKind = (byte) LeakKind.NIGHT_FLOW.ordinal();
            }
        } else {
            s.flaggedNights = 0;
        }
        if (q.riseMlph() > 0 && trusted && shape && floor >= median + q.riseMlph()) {
            s.riseNights = (byte) (s.lastRiseDay == localDay - 1 ? Math.min(100, s.riseNights + 1) : 1);
            s.lastRiseDay = localDay;
            if (s.flowKind < 0 && s.riseNights >= q.riseNights()) {
                startFlow(slot, s, p, LeakKind.FLOOR_RISE, endH - s.riseNights * 24, endH, floor - median, usual, sink);
            }
        } else {
            s.riseNights = 0;
        }
        if (s.flowKind < 0) { // every complete night outside a leak episode: the household's floor follows its life
            add(s.hist, 0, NIGHT_EDGES, (int) Math.min(MAX, floor));
            s.nightsLearnt = (short) Math.min(Short.MAX_VALUE, s.nightsLearnt + 1);
            boolean t = trusted(s, p);
            s.usualMlph = t ? (int) Math.min(MAX, nightQuantile(s, q.usualPercentile() * 10)) : 0;
            s.quietMlph = t ? (int) Math.min(MAX, nightQuantile(s, q.quietPercentile() * 10)) : 0;
        }
    }

    private void burst(int slot, State s, LeakProfile p, int hour, int v, EventSink sink) {
        LeakProfile.Params q = p.params();
        long threshold = p.burstMinLph();
        // The household's own 99.9th percentile only matters for an hour at or above the absolute floor: most hours are not.
        if (v >= threshold && s.hoursLearnt >= q.learnNights() * 24) {
            threshold = Math.max(threshold, (long) q.burstFactor() * quantile(s.hist, NIGHT_EDGES.length, HOUR_EDGES, 999));
        }
        if (v >= threshold) {
            if (s.burstRun == 0) {
                s.burstStartH = hour;
                s.burstL = 0;
            }
            s.burstRun++;
            s.burstL = (int) Math.min(MAX, (long) s.burstL + v);
            if (s.burstRun >= q.burstHours() && !s.burstActive) {
                s.burstActive = true;
                sink.event(slot, new Event(Phase.START, LeakKind.BURST, (hour + 1) * HOUR, s.burstStartH * HOUR,
                        s.burstL * 1000L / s.burstRun, s.burstL, 3, s.burstRun + " h in a row at or above " + threshold
                        + " L/h (this hour " + v + " L; the larger of " + p.burstMinLph() + " L/h = "
                        + q.burstPercentOfQmax() + " % of Qmax on " + p.className() + " and " + q.burstFactor()
                        + " x the household's 99.9th-percentile hour)"));
            }
        } else {
            if (s.burstActive) {
                sink.event(slot, new Event(Phase.END, LeakKind.BURST, hour * HOUR, s.burstStartH * HOUR,
                        s.burstL * 1000L / Math.max(1, s.burstRun), s.burstL, 3, "flow back below " + threshold
                        + " L/h after " + s.burstRun + " h; " + s.burstL + " L in those hours"));
            }
            s.burstActive = false;
            s.burstRun = 0;
        }
    }

    private void startFlow(int slot, State s, LeakProfile p, LeakKind kind, int sinceH, int atH, long rateMlph,
                           long usual, EventSink sink) {
        s.flowKind = (byte) kind.ordinal();
        s.evidenceKind = s.flowKind;
        s.flowStartH = sinceH;
        s.flowRateMlph = (int) Math.max(0, Math.min(MAX, rateMlph));
        s.lostMl = (long) s.flowRateMlph * (atH - sinceH);
        s.lastUpdateH = atH;
        s.severity = 1;
        sink.event(slot, new Event(Phase.START, kind, atH * HOUR, sinceH * HOUR, s.flowRateMlph, s.lostMl / 1000, 1,
                evidence(s, p, kind, usual)));
    }

    private void progress(int slot, State s, LeakProfile p, int endH, long usual, EventSink sink) {
        if (endH <= s.lastUpdateH) return; // the starting hour is counted in the start's estimate
        LeakProfile.Params q = p.params();
        s.lostMl += s.flowRateMlph;
        int hours = endH - s.flowStartH;
        int severity = hours >= q.severity3Hours() ? 3 : hours >= q.severity2Hours() ? 2 : 1;
        if (severity > s.severity || endH - s.lastUpdateH >= q.updateHours()) {
            s.severity = (byte) Math.max(s.severity, severity);
            s.lastUpdateH = endH;
            sink.event(slot, new Event(Phase.UPDATE, s.flow(), endH * HOUR, s.flowStartH * HOUR, s.flowRateMlph,
                    s.lostMl / 1000, s.severity, "still flowing after " + hours + " h at about " + s.flowRateMlph
                    + " mL/h; " + evidence(s, p, KINDS[s.evidenceKind], usual)));
        }
    }

    private void endFlow(int slot, State s, int endedH, EventSink sink) {
        int hours = Math.max(0, endedH - s.flowStartH);
        sink.event(slot, new Event(Phase.END, s.flow(), endedH * HOUR, s.flowStartH * HOUR, s.flowRateMlph,
                s.lostMl / 1000, s.severity, "flow back to the household's quiet level at "
                + Instant.ofEpochMilli(endedH * HOUR) + " after " + hours + " h"));
        s.flowKind = -1;
        s.flaggedNights = 0;
        s.riseNights = 0;
    }

    /**
     * Whether the night's last hours (up to four) sit at one level: a leak shows its flow in every quiet
     * hour, random use rarely repeats a level and a boiler cycles. With a floor of a register step or more,
     * all hours but one at the floor; below that, every block of {@code nb} hours at one nonzero level.
     */
    private static boolean steady(State s, LeakProfile.Params q, int nb) {
        int n = Math.min(4, s.nightHours);
        if (n < 3) return false;
        int minR = MAX;
        for (int i = 0; i < n; i++) minR = Math.min(minR, hourAgo(s, i));
        if (minR >= 1) {
            int atFloor = 0;
            for (int i = 0; i < n; i++) if (hourAgo(s, i) <= minR + tolerance(minR, q)) atFloor++;
            return atFloor >= n - (minR * 1000L < q.steadyAllBelowMlph() ? 0 : 1);
        }
        int minB = MAX;
        int maxB = 0;
        for (int i = 0; i + nb <= n; i++) {
            int b = 0;
            for (int k = 0; k < nb; k++) b += hourAgo(s, i + k);
            minB = Math.min(minB, b);
            maxB = Math.max(maxB, b);
        }
        return nb > 1 && minB >= 1 && maxB <= minB + tolerance(minB, q);
    }

    /** The smallest of the night's last (up to) four hours. */
    private static int nightLevel(State s) {
        int n = Math.min(4, s.nightHours);
        int m = MAX;
        for (int i = 0; i < n; i++) m = Math.min(m, hourAgo(s, i));
        return m;
    }

    private static int hourAgo(State s, int i) {
        return (int) ((s.recent >>> (16 * i)) & 0xFFFF);
    }

    /** The numbers behind a detector's finding, from the state as it stands. */
    private static String evidence(State s, LeakProfile p, LeakKind kind, long usual) {
        LeakProfile.Params q = p.params();
        int b = p.blockHours();
        String base = trusted(s, p) ? "household's usual night floor " + usual + " mL/h (P" + q.usualPercentile()
                + " of " + s.nightsLearnt + " nights)" : "household baseline not learnt yet (" + s.nightsLearnt + " of "
                + q.learnNights() + " nights)";
        return switch (kind) {
            case CONTINUOUS_FLOW -> "no " + b + " quiet hour" + (b > 1 ? "s" : "") + " in a row for " + s.flowHours
                    + " h (quiet: at most " + usual / 1000 + " L/h), smallest hour " + s.runMinL + " L, a steady night"
                    + " ending " + Instant.ofEpochMilli(s.steadyNightEndH * HOUR) + ", smallest " + b + "-hour block "
                    + (s.runMinBlock == MAX ? "-" : s.runMinBlock + " L") + "; " + base;
            case NIGHT_FLOW -> s.flaggedNights + " night" + (s.flaggedNights > 1 ? "s" : "") + " in a row with a floor of "
                    + s.lastNightFloor + " mL/h between " + String.format("%02d:00 and %02d:00", q.nightStartHour(),
                    q.nightEndHour()) + " local (" + s.nightMinL + "-" + s.nightMaxL + " L/h); " + base;
            case FLOOR_RISE -> s.riseNights + " nights in a row with a floor at least " + q.riseMlph()
                    + " mL/h above the household's median (tonight " + s.lastNightFloor + " mL/h); " + base;
            case BURST -> "burst";
        };
    }

    private static boolean trusted(State s, LeakProfile p) {
        return s.nightsLearnt >= p.params().learnNights();
    }

    /**
     * The steady flow (mL/h) that hours with these smallest block and hour could hide: at most the
     * smallest block per hour, and below one register step more than the smallest hour (a flow of a
     * whole step per hour never leaves an hour empty).
     */
    static long floor(int minBlock, int b, int minHourL) {
        return Math.min(minBlock * 1000L / b, minHourL * 1000L + 999);
    }

    private static int block(State s, int b) {
        int sum = 0;
        for (int i = 0; i < b; i++) sum += (int) ((s.recent >>> (16 * i)) & 0xFFFF);
        return sum;
    }

    private static long nightQuantile(State s, int permille) {
        return quantile(s.hist, 0, NIGHT_EDGES, permille);
    }

    /** The upper end of the bin holding the permille-quantile (0 for the zero bin). */
    static long quantile(char[] hist, int from, int[] edges, int permille) {
        long total = 0;
        for (int i = 0; i < edges.length; i++) total += hist[from + i];
        if (total == 0) return 0;
        long target = (total * permille + 999) / 1000;
        long cum = 0;
        for (int i = 0; i < edges.length; i++) {
            cum += hist[from + i];
            if (cum >= target) {
                if (i == 0) return 0;
                return i + 1 < edges.length ? edges[i + 1] - 1L : edges[i] * 2L;
            }
        }
        return edges[edges.length - 1] * 2L;
    }

    static void add(char[] hist, int from, int[] edges, int value) {
        int i = edges.length - 1;
        while (i > 0 && value < edges[i]) i--;
        if (hist[from + i] >= HIST_HALVE_AT) {
            for (int k = 0; k < edges.length; k++) hist[from + k] = (char) (hist[from + k] / 2);
        }
        hist[from + i]++;
    }

    /** Bytes of per-meter state as allocated: object fields, histogram array and the reference. */
    public long stateBytes() {
        long n = 0;
        for (State s : states) if (s != null) n++;
        return n * (perMeterBytes() - 4) + states.length * 4L;
    }

    /** Estimated bytes per tracked meter: object header and fields, histogram array, the slot's reference. */
    public static long perMeterBytes() {
        long fields = 12 + 4 * 28 + 8 * 2 + 2 * 2 + 14 + 4;
        long array = 16 + 2L * (NIGHT_EDGES.length + HOUR_EDGES.length);
        return align(fields) + align(array) + 4;
    }

    private static long align(long n) {
        return (n + 7) / 8 * 8;
    }

    private State state(int slot) {
        if (slot >= states.length) states = Arrays.copyOf(states, Math.max(slot + 1, states.length * 2));
        State s = states[slot];
        if (s == null) states[slot] = s = new State();
        return s;
    }
}
