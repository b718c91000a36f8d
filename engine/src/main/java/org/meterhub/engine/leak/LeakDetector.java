package org.meterhub.engine.leak;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.meterhub.engine.consumption.ConsumptionInterval;
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
    private static final int SPREAD = IntervalSink.bit(IntervalFlag.SPREAD);
    private static final int NONE = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;
    /** Lower bin edges of the nightly floor histogram, mL/h. */
    static final int[] NIGHT_EDGES = {0, 1, 250, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000, 16_000,
        32_000, 128_000, 512_000};
    /** Lower bin edges of the hourly use histogram, litres. */
    static final int[] HOUR_EDGES = {0, 1, 2, 3, 5, 8, 13, 20, 35, 60, 100, 200, 400, 800, 2_000, 6_000};
    /** Night bins count to 255 (one a night: most of a year) before they are halved; hour bins to 60,000. */
    private static final int NIGHT_HALVE_AT = 255;
    private static final int HOUR_HALVE_AT = 60_000;

    /**
     * Longs of state per meter. The detectors' state is primitive words (no object per meter), so a caller with its
     * own per-meter state ({@link FleetMonitor}) can hold it in the same array. The words are in three parts by how
     * often they are touched (see {@link State}): {@link #HOT_WORDS} (the hour being filled, and the two words every
     * judged hour reads and writes first), {@link #WARM_WORDS} (the rest of what a known hour's judging touches, night
     * hours' counters included) and {@link #COLD_WORDS} (night window, hour floor, episodes, bursts). Times are epoch
     * hours, local days are kept in 16 bits, hourly litres in the minima in 16 bits (as {@code recent} keeps them).
     */
    public static final int WORDS = 21;
    /** Words of the hot part: word 0 (the hour being filled) first; behind the monitor's five longs, one cache line. */
    public static final int HOT_WORDS = 3;
    /** Words of the warm part (one cache line when 64-byte aligned). */
    public static final int WARM_WORDS = 8;
    /** Words of the cold part. */
    public static final int COLD_WORDS = 10;

    // A word's place: its part (0 hot, 1 warm, 2 cold) times 32, plus its index in the part. The logical numbers
    // (W0..W20) are those of the layout below; they were one block's indices before the parts (main 99411cb).
    private static final int H = 0;
    private static final int M = 32;
    private static final int C = 64;
    private static final int W0 = H, W3 = H + 1, W5 = H + 2;
    private static final int W1 = M, W2 = M + 1, W4 = M + 2, W6 = M + 3, W7 = M + 4, W8 = M + 5, W9 = M + 6, W16 = M + 7;
    private static final int W15 = C, W11 = C + 1, W19 = C + 2, W20 = C + 3, W17 = C + 4, W18 = C + 5, W12 = C + 6,
        W13 = C + 7, W14 = C + 8, W10 = C + 9;
    /** Each logical word's place ({@link #place}), by its logical number. */
    private static final int[] PLACE = {W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15, W16, W17,
        W18, W19, W20};

    /**
     * Where logical word {@code w} (0..20, the layout of {@link State}) of a meter is, given its three parts' bases.
     * For tests and tools that compare blocks across layouts.
     */
    public static int place(int w, int hot, int warm, int cold) {
        return index(PLACE[w], hot, warm, cold);
    }

    private static int index(int place, int hot, int warm, int cold) {
        int part = place >>> 5;
        return (part == 0 ? hot : part == 1 ? warm : cold) + (place & 31);
    }

    /**
     * A view of one meter's words: three parts, {@code a[h .. h + HOT_WORDS)}, {@code a[m .. m + WARM_WORDS)} and
     * {@code a[c .. c + COLD_WORDS)} (a detector's own blocks hold them one after another; {@link FleetMonitor} in
     * three regions of its array, the hot part behind its own five longs). One per detector, re-pointed for each call
     * (no allocation per reading). Parts: hot 0, 3, 5; warm 1, 2, 4, 6-9, 16 (a known day hour's judging touches only
     * hot and warm, a night hour also the cold part's first two words); cold 15, 11, 19, 20, 17, 18, 12, 13, 14, 10
     * (in that order: a night hour's 15 and 11, the hour floor's 19 and 20, each pair in one 16-byte-aligned line
     * slice). Logical layout (word: fields, low bits first):
     * <pre>
     *  0 curHour:32 | curL:31 | curUnknown:1     1 recent (the last four known hours, 16 bits each)
     *  2 flowHours:32 | runMinBlock:32
     *  3 burstRun:16 | knownInRow:8 | quietRun:8 | runSteadyNights:8 | flowKind+1:8 | usual bin:4 | quiet bin:4 |
     *    burstActive, nightBroken, nightEvaluated:1 each
     *  4 runMinL:16 | dayMinL:16 | nightMinL:16 | nightMaxL:16    5 runStartH:32 | hoursLearnt:16 | nightsLearnt:16
     *  6-9 hour histogram, 16 bins of 16 bits      10 burstStartH:32 | burstL:32
     * 11 steadyNightEndH:32 | nightMinBlock:32     12 lastNightFloor:32 | flaggedFloor:32
     * 13 flowStartH:32 | flowRateMlph:32           14 lostMl:64
     * 15 lastUpdateH:32 | nightDay:16 | lastFlaggedDay:16
     * 16 lastRiseDay:16 | nightHours:8 | nightInRow:8 | flaggedNights:8 | riseNights:8 | severity:8 | evidenceKind+1:8
     * 17-18 night histogram, 16 bins of 8 bits
     * 19 hour floor: blockMin[0..4]:12 each (0 the newest complete block) | belowRun:3 | blockBroken:1
     * 20 blockMin[5]:12 | curBlockMin:12 | floorRunHours:9 | episodeFloorL:12 | usual block floor (running median,
     *    L):12 | floorBlocksLearnt:7. episodeFloorL is only in use while an hour-floor episode is open; outside one its
     *    bits hold held[0..5]:1 each (block i held its smallest level for floor-held-hours in a row) | curHeld:1
     * </pre>
     */
    private static final class State {
        long[] a;
        int h;
        int m;
        int c;

        State at(long[] array, int hot, int warm, int cold) {
            a = array;
            h = hot;
            m = warm;
            c = cold;
            return this;
        }

        /** A detector's own block: the three parts one after another. */
        State own(long[] array, int base) {
            return at(array, base, base + HOT_WORDS, base + HOT_WORDS + WARM_WORDS);
        }

        /** The array index of a word (its place: a constant at every call but the histograms', so this folds). */
        private int ix(int w) {
            return index(w, h, m, c);
        }

        private int lo(int w) {
            return (int) a[ix(w)];
        }

        private int hi(int w) {
            return (int) (a[ix(w)] >>> 32);
        }

        private void lo(int w, int v) {
            a[ix(w)] = (a[ix(w)] & 0xFFFF_FFFF_0000_0000L) | (v & 0xFFFF_FFFFL);
        }

        private void hi(int w, int v) {
            a[ix(w)] = (a[ix(w)] & 0xFFFF_FFFFL) | ((long) v << 32);
        }

        private int u(int w, int shift, int bits) {
            return (int) ((a[ix(w)] >>> shift) & ((1L << bits) - 1));
        }

        /** Stores v in the field, saturating at the field's largest value (counters stop, never wrap). */
        private void u(int w, int shift, int bits, long v) {
            long max = (1L << bits) - 1;
            long x = Math.max(0, Math.min(max, v));
            a[ix(w)] = (a[ix(w)] & ~(max << shift)) | (x << shift);
        }

        private boolean bit(int w, int shift) {
            return ((a[ix(w)] >>> shift) & 1) != 0;
        }

        private void bit(int w, int shift, boolean v) {
            a[ix(w)] = v ? a[ix(w)] | (1L << shift) : a[ix(w)] & ~(1L << shift);
        }

        /** 16-bit litres with 0xFFFF for "none yet" (MAX). */
        private int litres(int shift) {
            int v = u(W4, shift, 16);
            return v == 0xFFFF ? MAX : v;
        }

        private void litres(int shift, int v) {
            u(W4, shift, 16, Math.min(v, 0xFFFF));
        }

        /** Local epoch day in 16 bits (compared modulo 2^16: the next wrap is in 2149); 0xFFFF = none. */
        private static int day16(int epochDay) {
            return epochDay & 0xFFFF;
        }

        static void clear(long[] a, int h, int m, int c) {
            java.util.Arrays.fill(a, h, h + HOT_WORDS, 0L);
            java.util.Arrays.fill(a, m, m + WARM_WORDS, 0L);
            java.util.Arrays.fill(a, c, c + COLD_WORDS, 0L);
            a[h] = NONE & 0xFFFF_FFFFL;            // curHour none, curL 0, known
            a[index(W2, h, m, c)] = (long) MAX << 32;           // flowHours 0, runMinBlock none
            a[index(W4, h, m, c)] = 0x0000_FFFF_FFFF_0000L;     // runMinL 0, dayMinL none, nightMinL none, nightMaxL 0
            a[index(W11, h, m, c)] = (long) MAX << 32 | (NONE & 0xFFFF_FFFFL); // steadyNightEndH none, nightMinBlock none
            a[index(W15, h, m, c)] = 0xFFFF_FFFFL << 32;        // nightDay, lastFlaggedDay none
            a[index(W16, h, m, c)] = 0xFFFFL;                   // lastRiseDay none
            a[index(W19, h, m, c)] = 0x0FFF_FFFF_FFFF_FFFFL;    // block minima none (4095)
            a[index(W20, h, m, c)] = 0xFF_FFFFL;                // block minimum 5 and the current block's none
        }

        static void clearOwn(long[] a, int b) {
            clear(a, b, b + HOT_WORDS, b + HOT_WORDS + WARM_WORDS);
        }

        int curHour() { return lo(W0); }
        void curHour(int v) { lo(W0, v); }
        int curL() { return (int) ((a[h] >>> 32) & 0x7FFF_FFFFL); }
        void curL(long v) { long x = Math.max(0, Math.min(0x7FFF_FFFFL, v)); a[h] = (a[h] & 0x8000_0000_FFFF_FFFFL) | (x << 32); }
        boolean curUnknown() { return a[h] < 0; }
        void curUnknown(boolean v) { a[h] = v ? a[h] | Long.MIN_VALUE : a[h] & Long.MAX_VALUE; }
        long recent() { return a[ix(W1)]; }
        void recent(long v) { a[ix(W1)] = v; }
        int flowHours() { return lo(W2); }
        void flowHours(int v) { lo(W2, v); }
        int runMinBlock() { return hi(W2); }
        void runMinBlock(int v) { hi(W2, v); }
        int burstRun() { return u(W3, 0, 16); }
        void burstRun(int v) { u(W3, 0, 16, v); }
        int knownInRow() { return u(W3, 16, 8); }
        void knownInRow(int v) { u(W3, 16, 8, v); }
        int quietRun() { return u(W3, 24, 8); }
        void quietRun(int v) { u(W3, 24, 8, v); }
        int runSteadyNights() { return u(W3, 32, 8); }
        void runSteadyNights(int v) { u(W3, 32, 8, v); }
        /** LeakKind ordinal of the open flow episode, -1 none. */
        int flowKind() { return u(W3, 40, 8) - 1; }
        void flowKind(int v) { u(W3, 40, 8, v + 1); }
        /** Cached bins of the night histogram's usual and quiet quantiles (recomputed when it changes). */
        int usualMlph() { return binValue(NIGHT_EDGES, u(W3, 48, 4)); }
        void usualBin(int v) { u(W3, 48, 4, v); }
        int quietMlph() { return binValue(NIGHT_EDGES, u(W3, 52, 4)); }
        void quietBin(int v) { u(W3, 52, 4, v); }
        boolean burstActive() { return bit(W3, 56); }
        void burstActive(boolean v) { bit(W3, 56, v); }
        boolean nightBroken() { return bit(W3, 57); }
        void nightBroken(boolean v) { bit(W3, 57, v); }
        boolean nightEvaluated() { return bit(W3, 58); }
        void nightEvaluated(boolean v) { bit(W3, 58, v); }
        int runMinL() { return litres(0); }
        void runMinL(int v) { litres(0, v); }
        int dayMinL() { return litres(16); }
        void dayMinL(int v) { litres(16, v); }
        int nightMinL() { return litres(32); }
        void nightMinL(int v) { litres(32, v); }
        int nightMaxL() { return u(W4, 48, 16); }
        void nightMaxL(int v) { u(W4, 48, 16, v); }
        int runStartH() { return lo(W5); }
        void runStartH(int v) { lo(W5, v); }
        int hoursLearnt() { return u(W5, 32, 16); }
        void hoursLearnt(int v) { u(W5, 32, 16, v); }
        int nightsLearnt() { return u(W5, 48, 16); }
        void nightsLearnt(int v) { u(W5, 48, 16, v); }
        // 6-9: hour histogram
        int burstStartH() { return lo(W10); }
        void burstStartH(int v) { lo(W10, v); }
        int burstL() { return hi(W10); }
        void burstL(int v) { hi(W10, v); }
        int steadyNightEndH() { return lo(W11); }
        void steadyNightEndH(int v) { lo(W11, v); }
        int nightMinBlock() { return hi(W11); }
        void nightMinBlock(int v) { hi(W11, v); }
        int lastNightFloor() { return lo(W12); }
        void lastNightFloor(int v) { lo(W12, v); }
        int flaggedFloor() { return hi(W12); }
        void flaggedFloor(int v) { hi(W12, v); }
        int flowStartH() { return lo(W13); }
        void flowStartH(int v) { lo(W13, v); }
        int flowRateMlph() { return hi(W13); }
        void flowRateMlph(int v) { hi(W13, v); }
        long lostMl() { return a[ix(W14)]; }
        void lostMl(long v) { a[ix(W14)] = v; }
        int lastUpdateH() { return lo(W15); }
        void lastUpdateH(int v) { lo(W15, v); }
        boolean nightDayIs(int day) { return u(W15, 32, 16) == day16(day); }
        void nightDay(int day) { u(W15, 32, 16, day16(day)); }
        boolean lastFlaggedDayIs(int day) { return u(W15, 48, 16) == day16(day); }
        void lastFlaggedDay(int day) { u(W15, 48, 16, day16(day)); }
        boolean lastRiseDayIs(int day) { return u(W16, 0, 16) == day16(day); }
        void lastRiseDay(int day) { u(W16, 0, 16, day16(day)); }
        int nightHours() { return u(W16, 16, 8); }
        void nightHours(int v) { u(W16, 16, 8, v); }
        int nightInRow() { return u(W16, 24, 8); }
        void nightInRow(int v) { u(W16, 24, 8, v); }
        int flaggedNights() { return u(W16, 32, 8); }
        void flaggedNights(int v) { u(W16, 32, 8, v); }
        int riseNights() { return u(W16, 40, 8); }
        void riseNights(int v) { u(W16, 40, 8, v); }
        int severity() { return u(W16, 48, 8); }
        void severity(int v) { u(W16, 48, 8, v); }
        /** The detector behind the latest evidence, -1 none. */
        int evidenceKind() { return u(W16, 56, 8) - 1; }
        void evidenceKind(int v) { u(W16, 56, 8, v + 1); }
        // 17-18: night histogram
        /** The smallest hour (L, 12 bits, 4095 = none or more) of the block {@code i} blocks before the current one. */
        int blockMin(int i) { return i < 5 ? u(W19, 12 * i, 12) : u(W20, 0, 12); }
        void blockMin(int i, int v) { if (i < 5) u(W19, 12 * i, 12, v); else u(W20, 0, 12, v); }
        int belowRun() { return u(W19, 60, 3); }
        void belowRun(int v) { u(W19, 60, 3, v); }
        boolean blockBroken() { return bit(W19, 63); }
        void blockBroken(boolean v) { bit(W19, 63, v); }
        int curBlockMin() { return u(W20, 12, 12); }
        void curBlockMin(int v) { u(W20, 12, 12, v); }
        int floorRunHours() { return u(W20, 24, 9); }
        void floorRunHours(int v) { u(W20, 24, 9, v); }
        int episodeFloorL() { return u(W20, 33, 12); }
        void episodeFloorL(int v) { u(W20, 33, 12, v); }
        /** Outside an hour-floor episode (the bits of episodeFloorL): block i held its smallest level for hours in a row. */
        boolean held(int i) { return bit(W20, 33 + i); }
        /** Shifts the current block's flag in as block 0's (the window's blocks move with the minima). */
        void shiftHeld(int n) {
            int f = (u(W20, 33, 6) << 1 | (bit(W20, 39) ? 1 : 0)) & ((1 << n) - 1);
            u(W20, 33, 7, f); // block flags, the current block's cleared
        }
        boolean curHeld() { return bit(W20, 39); }
        void curHeld(boolean v) { bit(W20, 39, v); }
        int usualBlockFloorL() { return u(W20, 45, 12); }
        void usualBlockFloorL(int v) { u(W20, 45, 12, v); }
        int floorBlocksLearnt() { return u(W20, 57, 7); }
        void floorBlocksLearnt(int v) { u(W20, 57, 7, v); }

        int nightBin(int i) { return u(W17 + (i >> 3), (i & 7) * 8, 8); }
        void nightBin(int i, int v) { u(W17 + (i >> 3), (i & 7) * 8, 8, v); }
        int hourBin(int i) { return u(W6 + (i >> 2), (i & 3) * 16, 16); }
        void hourBin(int i, int v) { u(W6 + (i >> 2), (i & 3) * 16, 16, v); }

        LeakKind flow() {
            int k = flowKind();
            return k < 0 ? null : KINDS[k];
        }
    }

    private static final LeakKind[] KINDS = LeakKind.values();
    /** How far above a floor of {@code floorL} an hour still counts as "at the floor": two steps or a quarter. */
    private static int tolerance(int floorL, LeakProfile.Params q) {
        int res = (int) Math.max(1, q.resolutionMl() / 1000);
        return Math.max(2 * res, floorL / 4);
    }

    private final UtilityTime time;
    // Views of a block. Queries get their own, so a sink asking about a meter mid-event moves no detector's view.
    private final State s = new State();
    private final State probe = new State();
    /** The scratch block a re-judgement runs in ({@link #rejudge}). */
    private final long[] replay = new long[WORDS];
    /** This detector's own blocks, for callers without a block of their own (slot x {@link #WORDS}). */
    private long[] own;
    private int ownMeters;
    // The local hour and day of the epoch hour judged last: every meter's hour is the same few hours.
    private int cachedHour = NONE;
    private int cachedLocalHour;
    private int cachedLocalDay;

    public LeakDetector(ZoneId zone, int expectedMeters) {
        this.time = new UtilityTime(zone);
        this.ownMeters = Math.max(16, expectedMeters);
        this.own = new long[0];
    }

    public UtilityTime time() {
        return time;
    }

    /** Initialises a meter's three parts in a caller's array (before its first interval). */
    public static void clear(long[] a, int hot, int warm, int cold) {
        State.clear(a, hot, warm, cold);
    }

    /** One interval of the meter in {@code slot}, as the consumption calculator produced it. */
    public void onInterval(int slot, long startMs, long endMs, long volumeL, int flags, LeakProfile p, EventSink sink) {
        int b = slot * WORDS;
        onInterval(own(slot), b, b + HOT_WORDS, b + HOT_WORDS + WARM_WORDS, slot, startMs, volumeL, flags, p, sink);
    }

    /** As {@link #onInterval(int, long, long, long, int, LeakProfile, EventSink)}, the meter's parts at {@code a[hot..]}, {@code a[warm..]}, {@code a[cold..]}. */
    public void onInterval(long[] a, int hot, int warm, int cold, int slot, long startMs, long volumeL, int flags,
                           LeakProfile p, EventSink sink) {
        State st = s.at(a, hot, warm, cold);
        int hour = (int) Math.floorDiv(startMs, HOUR);
        int cur = st.curHour();
        if (cur == NONE || hour > cur) {
            if (cur != NONE) completeHour(slot, st, cur, p, sink);
            a[hot] = hour & 0xFFFF_FFFFL; // curHour = hour, curL = 0, known
        } else if (hour < cur) {
            return; // a corrected past hour: detectors look forward only
        }
        if ((flags & SPREAD) != 0) st.curUnknown(true);
        st.curL(st.curL() + volumeL);
    }

    /** What {@link #fill} returns when the interval completed no hour. */
    public static final long NO_HOUR = NONE & 0xFFFF_FFFFL;

    /**
     * The first half of {@link #onInterval(long[], int, int, int, int, long, long, int, LeakProfile, EventSink)} without the
     * judging: adds the interval to the hour the meter is filling (word 0 of its block) and, when the interval
     * belongs to a later hour, starts that hour and returns the one it completed, for the caller to hand to
     * {@link #judge} (then or later, before any later hour of the meter). Same rules as onInterval: an interval of an
     * hour before the one being filled is ignored; a {@link IntervalFlag#SPREAD} interval makes its hour unknown.
     * Touches only word 0 (the hot part's first): a caller that defers judging keeps its reading path on one cache line.
     *
     * @return the completed hour as word 0 of the block held it (hour, litres, unknown), or {@link #NO_HOUR}
     */
    public static long fill(long[] a, int base, long startMs, long volumeL, int flags) {
        int hour = (int) Math.floorDiv(startMs, HOUR);
        long w = a[base];
        int cur = (int) w;
        long done = NO_HOUR;
        if (hour != cur) {
            if (cur != NONE) {
                if (hour < cur) return NO_HOUR; // a corrected past hour: detectors look forward only
                done = w;
            }
            w = hour & 0xFFFF_FFFFL; // curHour = hour, curL = 0, known
        }
        if ((flags & SPREAD) != 0) w |= Long.MIN_VALUE;
        long litres = Math.max(0, Math.min(0x7FFF_FFFFL, ((w >>> 32) & 0x7FFF_FFFFL) + volumeL));
        a[base] = (w & 0x8000_0000_FFFF_FFFFL) | (litres << 32);
        return done;
    }

    /** The epoch hour of an hour word ({@link #fill}'s result, or word 0 of a block: the hour being filled). */
    public static int hourOf(long hourWord) {
        return (int) hourWord;
    }

    /**
     * Judges a complete hour that {@link #fill} returned, exactly as onInterval would have judged it at the
     * interval that completed it: the detectors' code is the same ({@code completeHour}); word 0 of the block (the
     * hour being filled since) is left as it is. The meter's hours must be judged in time order.
     */
    public void judge(long[] a, int hot, int warm, int cold, int slot, long hourWord, LeakProfile p, EventSink sink) {
        long filling = a[hot];
        a[hot] = hourWord;
        try {
            completeHour(slot, s.at(a, hot, warm, cold), hourOf(hourWord), p, sink);
        } finally {
            a[hot] = filling;
        }
    }

    /** Judges the meter's current hour now (end of a replay); later intervals of that hour are ignored. */
    public void flush(int slot, LeakProfile p, EventSink sink) {
        if (slot >= ownMeters()) return;
        int b = slot * WORDS;
        flush(own, b, b + HOT_WORDS, b + HOT_WORDS + WARM_WORDS, slot, p, sink);
    }

    public void flush(long[] a, int hot, int warm, int cold, int slot, LeakProfile p, EventSink sink) {
        State st = s.at(a, hot, warm, cold);
        int cur = st.curHour();
        if (cur == NONE) return;
        completeHour(slot, st, cur, p, sink);
        st.curHour(cur + 1);
        st.curL(0);
        st.curUnknown(true);
    }

    /** The start (epoch ms) of the hour the meter's detector is filling, or {@link Long#MIN_VALUE} before its first interval. */
    public long currentHourMs(int slot) {
        if (slot >= ownMeters()) return Long.MIN_VALUE;
        int cur = probe.own(own, slot * WORDS).curHour();
        return cur == NONE ? Long.MIN_VALUE : cur * HOUR;
    }

    /**
     * Judges a meter's hours again after hours it had already passed changed (a day that arrived after the next
     * one): {@code hours} (hour-split intervals, oldest first, up to and including the hour the detector is
     * filling) go through a copy of the meter's block whose run, night and episode fields start empty and whose
     * learnt baseline (the two histograms) is the meter's own. The replay's events go to {@code sink}; which of
     * them are news is the caller's decision ({@link LateEpisodes}). The baseline is put back afterwards, so the
     * same nights are never learnt twice (the late nights are not learnt at all).
     *
     * <p>The re-derived state replaces the meter's, so later hours are judged with the late ones in view — unless
     * the meter has an episode open (flow or burst) that the replay does not have open: then its state stays, so
     * the forward pass still ends the alarm it raised. Memory: one scratch block per detector, nothing per meter.
     *
     * @return whether the re-derived state replaced the meter's
     */
    public boolean rejudge(int slot, LeakProfile p, List<ConsumptionInterval> hours, EventSink sink) {
        if (hours.isEmpty()) return false;
        long[] live = own(slot);
        int base = slot * WORDS;
        State.clearOwn(replay, 0);
        copyBaseline(live, base, replay, 0);
        for (ConsumptionInterval i : hours) {
            int bits = 0;
            for (IntervalFlag f : i.flags()) bits |= IntervalSink.bit(f);
            onInterval(replay, 0, HOT_WORDS, HOT_WORDS + WARM_WORDS, slot, i.start().toEpochMilli(), i.volumeL(), bits, p, sink);
        }
        copyBaseline(live, base, replay, 0);
        State was = probe.own(live, base);
        int wasFlow = was.flowKind();
        boolean wasBurst = was.burstActive();
        State now = probe.own(replay, 0);
        boolean adopt = (wasFlow < 0 || wasFlow == now.flowKind()) && (!wasBurst || now.burstActive());
        if (adopt) System.arraycopy(replay, 0, live, base, WORDS);
        return adopt;
    }

    /**
     * The learnt baseline's bits: words 6-9 and 17-18 (histograms), word 5's high half, word 3's cached bins, word 20's
     * usual block floor.
     */
    private static final long W3_BASELINE = 0xFFL << 48;
    private static final long W5_BASELINE = 0xFFFF_FFFFL << 32;
    /** Word 20's usual block floor and blocks learnt. */
    private static final long W20_BASELINE = 0x7FFFFL << 45;

    /** Between two of this detector's own blocks (the parts one after another). */
    private static void copyBaseline(long[] from, int fb, long[] to, int tb) {
        int w6 = place(6, 0, HOT_WORDS, HOT_WORDS + WARM_WORDS);
        int w17 = place(17, 0, HOT_WORDS, HOT_WORDS + WARM_WORDS);
        System.arraycopy(from, fb + w6, to, tb + w6, 4);
        System.arraycopy(from, fb + w17, to, tb + w17, 2);
        copyBits(from, fb, to, tb, 3, W3_BASELINE);
        copyBits(from, fb, to, tb, 5, W5_BASELINE);
        copyBits(from, fb, to, tb, 20, W20_BASELINE);
    }

    private static void copyBits(long[] from, int fb, long[] to, int tb, int word, long mask) {
        int i = place(word, 0, HOT_WORDS, HOT_WORDS + WARM_WORDS);
        to[tb + i] = (to[tb + i] & ~mask) | (from[fb + i] & mask);
    }

    /** The household's learnt usual night floor (mL/h) at the profile's percentile, or -1 while not yet trusted. */
    public long usualNightFloorMlph(int slot, LeakProfile p) {
        if (slot >= ownMeters()) return -1;
        State st = probe.own(own, slot * WORDS);
        return trusted(st, p) ? nightQuantile(st, p.params().usualPercentile() * 10) : -1;
    }

    /** The kind of the meter's open flow episode, or null if none. */
    public LeakKind openFlow(int slot) {
        return slot < ownMeters() ? probe.own(own, slot * WORDS).flow() : null;
    }

    /** As {@link #openFlow(int)}, the meter's parts at {@code a[hot..]}, {@code a[warm..]}, {@code a[cold..]}. */
    public LeakKind openFlow(long[] a, int hot, int warm, int cold) {
        return probe.at(a, hot, warm, cold).flow();
    }

    private void completeHour(int slot, State s, int hour, LeakProfile p, EventSink sink) {
        LeakProfile.Params q = p.params();
        if (hour != cachedHour) {
            long startMs = hour * HOUR;
            cachedLocalHour = time.localHour(startMs);
            cachedLocalDay = time.localDay(startMs);
            cachedHour = hour;
        }
        int localHour = cachedLocalHour;
        int localDay = cachedLocalDay;
        int b = p.blockHours();
        boolean unknown = s.curUnknown();
        int v = s.curL();
        long usual = s.usualMlph();
        long quietL = s.quietMlph() / 1000;
        if (unknown) {
            s.knownInRow(0);
            s.quietRun(0);
            s.flowHours(0);
            s.runMinBlock(MAX);
            s.runSteadyNights(0);
            s.dayMinL(MAX);
            s.burstRun(0);
        } else {
            s.recent((s.recent() << 16) | Math.min(v, 0xFFFF));
            s.knownInRow(Math.min(100, s.knownInRow() + 1));
            boolean quiet = v <= quietL;
            int quietRun = quiet ? Math.min(100, s.quietRun() + 1) : 0;
            s.quietRun(quietRun);
            // An open leak ends after a quiet block as long as the slowest flow any detector sees needs.
            // (An hour-floor episode ends by its own floor: under a boiler the household's quiet level is no guide.)
            if (s.flowKind() >= 0 && s.flowKind() != HOUR_FLOOR && quietRun >= Math.max(b, p.nightBlockHours())) {
                endFlow(slot, s, hour + 1 - quietRun, sink);
            }
            int flowHours = s.flowHours();
            if (quietRun >= b) {
                flowHours = 0;
                s.flowHours(0);
                s.runMinBlock(MAX);
                s.runSteadyNights(0);
            } else if (flowHours > 0 || !quiet) {
                if (flowHours == 0) s.runStartH(hour);
                flowHours++;
                s.flowHours(flowHours);
                if (flowHours >= b && s.knownInRow() >= b) s.runMinBlock(Math.min(s.runMinBlock(), block(s, b)));
                if (flowHours >= 2) s.runMinL(flowHours == 2 ? v : Math.min(s.runMinL(), v)); // 1st hour may be partial
                if (q.continuousHours() > 0 && flowHours >= q.continuousHours() && s.flowKind() < 0
                        && s.runMinBlock() != MAX && s.runSteadyNights() >= q.continuousNights()) {
                    long rate = Math.max(0, floor(s.runMinBlock(), b, s.runMinL()) - quietL * 1000);
                    startFlow(slot, s, p, LeakKind.CONTINUOUS_FLOW, s.runStartH(), hour + 1, rate, usual, sink);
                }
            }
            s.dayMinL(flowHours > 0 ? Math.min(s.dayMinL(), v) : MAX); // the run's hours since the last night
            int flow = s.flowKind(); // a burst is its own episode: burst() leaves it
            burst(slot, s, p, hour, v, sink);
            if (flow < 0 && !s.burstActive()) {
                addHour(s, v);
                s.hoursLearnt(s.hoursLearnt() + 1);
            }
            if (flow >= 0 && flow != HOUR_FLOOR && !quiet) progress(slot, s, p, hour + 1, usual, sink); // a quiet hour lost nothing
        }
        if (q.floorMinMlph() > 0) hourFloor(slot, s, p, hour, unknown, v, sink);
        if (localHour >= q.nightStartHour() && localHour < q.nightEndHour()) {
            if (!s.nightDayIs(localDay)) {
                s.nightDay(localDay);
                s.nightHours(0);
                s.nightInRow(0);
                s.nightBroken(false);
                s.nightEvaluated(false);
                s.nightMinBlock(MAX);
                s.nightMinL(MAX);
                s.nightMaxL(0);
            }
            if (unknown) {
                s.nightBroken(true);
                s.nightInRow(0);
            } else {
                s.nightHours(s.nightHours() + 1);
                int inRow = s.nightInRow() + 1;
                s.nightInRow(inRow);
                s.nightMinL(Math.min(s.nightMinL(), v));
                s.nightMaxL(Math.max(s.nightMaxL(), v));
                if (inRow >= p.nightBlockHours()) {
                    s.nightMinBlock(Math.min(s.nightMinBlock(), block(s, p.nightBlockHours())));
                }
            }
            if (localHour == q.nightEndHour() - 1 && !s.nightEvaluated()) {
                s.nightEvaluated(true);
                night(slot, s, p, localDay, hour + 1, sink);
            }
        }
    }

    private static final int HOUR_FLOOR = LeakKind.HOUR_FLOOR.ordinal();

    /** A 12-bit litre field's "none or more". */
    private static final int FULL12 = 0xFFF;

    /**
     * The hour floor (gas under a heating boiler): a leak puts its flow under every hour, so the hours its owner does
     * not use — a boiler's off hours, which read zero without a leak — read the leak's rate, and the same floor comes
     * back block after block, while the smallest hour of a burning boiler is a partly burnt hour that wanders with
     * the weather. At the end of each block of {@code floorBlockHours}: when every one of the last {@code floorHours}
     * known hours was at or above the threshold (the household's usual block floor + margin, at least the minimum;
     * twice the minimum until learnt) and at least {@code floorBlocks} of the window's blocks, the newest among them,
     * have their smallest hour at the window's floor (within the tolerance), an episode starts at that floor. It ends at the first hours
     * below it (hours enough for the floor to move the register once): a flow of the floor cannot leave such an hour.
     * The household's usual block floor is a running median of its complete blocks' smallest hours, learnt outside
     * leak episodes from blocks below the threshold (so an unfound leak does not raise it; until trusted, every
     * block). Memory: the window's block minima in 12 bits each, two words in all. "At the floor": within one register
     * step (or {@code floorTolerancePercent}): a leak's hours read its rate to the step, a partly burnt hour rarely
     * repeats a level to the litre (two steps let 29 false alarms through on the tuning seed, one step 16).
     */
    private void hourFloor(int slot, State s, LeakProfile p, int hour, boolean unknown, int v, EventSink sink) {
        LeakProfile.Params q = p.params();
        long threshold = floorThreshold(s, q);
        if (unknown) {
            s.floorRunHours(0);
            s.belowRun(0);
            s.blockBroken(true);
        } else {
            if (s.flowKind() == HOUR_FLOOR) {
                int f = s.episodeFloorL();
                if (v < f - floorTolerance(f, q)) {
                    int below = s.belowRun() + 1;
                    s.belowRun(below);
                    if (below >= floorEndHours(f, q)) {
                        endFlow(slot, s, hour + 1 - below, sink);
                        s.floorRunHours(0);
                        s.belowRun(0);
                        s.episodeFloorL(0); // its bits are the held flags again, none held yet
                    }
                } else {
                    s.belowRun(0);
                    progress(slot, s, p, hour + 1, usualNight(s, p), sink);
                }
            }
            // one register step of slack: hour-split hours round
            s.floorRunHours(v * 1000L >= threshold - q.resolutionMl() ? s.floorRunHours() + 1 : 0);
            int was = s.curBlockMin();
            int c = Math.min(was, Math.min(v, FULL12));
            s.curBlockMin(c);
            // (the flags share their bits with an open hour-floor episode's floor: none kept while it is open)
            if (s.flowKind() != HOUR_FLOOR && v <= c + floorTolerance(c, q)) {
                boolean held = heldAtFloor(s, q, c);
                s.curHeld(c < was ? held : s.curHeld() || held); // a new smallest hour: only hours at it count
            }
        }
        int g = q.floorBlockHours();
        if (Math.floorMod(hour + 1, g) != 0) return;
        // a block ends: learn it, shift it into the window, judge the window
        int blockMin = s.blockBroken() ? FULL12 : s.curBlockMin();
        if (blockMin != FULL12 && s.flowKind() < 0
                && (!trustedBlockFloor(s, q) || blockMin * 1000L < threshold - q.resolutionMl())) {
            learnBlockFloor(s, blockMin);
        }
        int n = q.floorHours() / g;
        for (int i = n - 1; i > 0; i--) s.blockMin(i, s.blockMin(i - 1));
        s.blockMin(0, blockMin);
        if (s.flowKind() != HOUR_FLOOR) {
            if (blockMin == FULL12) s.curHeld(false);
            s.shiftHeld(n);
        }
        s.curBlockMin(FULL12);
        s.blockBroken(false);
        if (s.flowKind() >= 0 || s.floorRunHours() < q.floorHours()) return;
        int w = windowFloor(s, n);
        // the floor still there in the newest block: the flow is under the hours now
        if (w == FULL12 || s.blockMin(0) > w + floorTolerance(w, q) || blocksAtFloor(s, n, w, q) < q.floorBlocks()
                || !heldInWindow(s, n, w, q)) return;
        long usualBlock = trustedBlockFloor(s, q) ? s.usualBlockFloorL() * 1000L : 0;
        s.episodeFloorL(w);
        s.belowRun(0);
        int run = s.floorRunHours();
        startFlow(slot, s, p, LeakKind.HOUR_FLOOR, hour + 1 - run, hour + 1, w * 1000L - usualBlock, usualNight(s, p),
                sink);
    }

    private static int windowFloor(State s, int n) {
        int w = FULL12;
        for (int i = 0; i < n; i++) w = Math.min(w, s.blockMin(i));
        return w;
    }

    /**
     * The last {@code floorHeldHours} known hours (the newest is this one) all within the tolerance of {@code floorL}.
     * A leak is a flow that holds: the hours its owner leaves idle in a row read its rate one after another. A boiler's
     * partly burnt hour is the edge of a burn — the hour next to it holds the rest of the burn — so its level lasts
     * one hour (measured: none of the 35 hour-floor false alarms of both seeds and fleets had two such hours in a row).
     */
    private static boolean heldAtFloor(State s, LeakProfile.Params q, int floorL) {
        int k = q.floorHeldHours();
        if (k <= 1) return true;
        if (s.knownInRow() < k) return false;
        long recent = s.recent();
        int top = floorL + floorTolerance(floorL, q);
        for (int i = 0; i < k; i++) if (hourAgo(recent, i) > top) return false;
        return true;
    }

    /**
     * At least one block at the window's floor held its smallest level for {@code floorHeldHours} in a row — asked only
     * of a floor below {@code floorHeldBelowMlph}: the partly burnt hours that repeat a level to the litre are thin
     * slices of a burn (the hour-floor false alarms of the tuning seed sat at 22-84 L/h).
     */
    private static boolean heldInWindow(State s, int n, int w, LeakProfile.Params q) {
        if (q.floorHeldHours() <= 1 || w * 1000L >= q.floorHeldBelowMlph()) return true;
        int tol = floorTolerance(w, q);
        for (int i = 0; i < n; i++) if (s.held(i) && s.blockMin(i) <= w + tol) return true;
        return false;
    }

    private static int blocksAtFloor(State s, int n, int w, LeakProfile.Params q) {
        int tol = floorTolerance(w, q);
        int k = 0;
        for (int i = 0; i < n; i++) if (s.blockMin(i) <= w + tol) k++;
        return k;
    }

    /** The hour-floor threshold, mL/h: the usual block floor + margin, at least the minimum; twice it until learnt. */
    private static long floorThreshold(State s, LeakProfile.Params q) {
        return trustedBlockFloor(s, q) ? Math.max(q.floorMinMlph(), s.usualBlockFloorL() * 1000L + q.floorMarginMlph())
                : 2 * q.floorMinMlph();
    }

    /** Trusted after as many blocks as {@code learnNights} days hold (at most 127). */
    private static boolean trustedBlockFloor(State s, LeakProfile.Params q) {
        return s.floorBlocksLearnt() >= Math.min(127, q.learnNights() * 24 / q.floorBlockHours());
    }

    private static int floorTolerance(int floorL, LeakProfile.Params q) {
        int res = (int) Math.max(1, q.resolutionMl() / 1000);
        return Math.max(res, floorL * q.floorTolerancePercent() / 100);
    }

    /** Hours below an episode's floor before it ends: enough for a flow of the floor to move the register once. */
    private static int floorEndHours(int floorL, LeakProfile.Params q) {
        long perHourMl = Math.max(1, (long) floorL * 1000);
        return (int) Math.max(1, Math.min(LeakProfile.MAX_BLOCK_HOURS, (q.resolutionMl() + perHourMl - 1) / perHourMl));
    }

    private static long usualNight(State s, LeakProfile p) {
        return trusted(s, p) ? nightQuantile(s, p.params().usualPercentile() * 10) : 0;
    }

    /**
     * One complete block's smallest hour into the household's running median: from the first block's, in steps of a
     * litre or a sixteenth towards each block's (a median in 12 bits, no history).
     */
    private static void learnBlockFloor(State s, int blockMinL) {
        int m = s.usualBlockFloorL();
        if (s.floorBlocksLearnt() == 0) m = blockMinL;
        int step = Math.max(1, m >> 4);
        if (blockMinL > m) m = Math.min(blockMinL, m + step);
        else if (blockMinL < m) m = Math.max(blockMinL, m - step);
        s.usualBlockFloorL(Math.min(m, FULL12 - 1));
        s.floorBlocksLearnt(Math.min(127, s.floorBlocksLearnt() + 1));
    }

    private void night(int slot, State s, LeakProfile p, int localDay, int endH, EventSink sink) {
        LeakProfile.Params q = p.params();
        int b = p.nightBlockHours();
        if (s.nightBroken() || s.nightHours() < q.nightHours() - 1 || s.nightMinBlock() == MAX) return;
        long floor = floor(s.nightMinBlock(), b, s.nightMinL());
        s.lastNightFloor((int) Math.min(MAX, floor));
        boolean trusted = trusted(s, p);
        long usual = trusted ? nightQuantile(s, q.usualPercentile() * 10) : 0;
        long median = trusted ? nightQuantile(s, 500) : 0;
        boolean steady = steady(s, q, p.nightBlockHours());
        if (steady) s.steadyNightEndH(endH);
        int dayMinL = s.dayMinL();
        if (steady && s.flowHours() >= Math.min(4, s.nightHours())
                && nightLevel(s) <= dayMinL + tolerance(dayMinL, q)) {
            s.runSteadyNights(Math.min(100, s.runSteadyNights() + 1));
        }
        s.dayMinL(MAX);
        boolean shape = !q.steadyNightsOnly() || steady;
        // Until the household's own floor is learnt, a night counts only at twice the minimum.
        long threshold = trusted ? Math.max(q.nightMinMlph(), usual + q.nightMarginMlph()) : 2 * q.nightMinMlph();
        boolean flagged = q.nightMinMlph() > 0 && shape && floor >= threshold;
        if (flagged) {
            // A leak runs at one rate night after night; a boiler follows the weather, a night owl their evening.
            int flaggedFloor = s.flaggedFloor();
            boolean sameLevel = s.lastFlaggedDayIs(localDay - 1)
                    && Math.abs(floor - flaggedFloor) <= Math.max(2 * q.resolutionMl(), flaggedFloor / 4);
            int flaggedNights = sameLevel ? Math.min(100, s.flaggedNights() + 1) : 1;
            s.flaggedNights(flaggedNights);
            if (flaggedNights == 1) s.flaggedFloor((int) Math.min(MAX, floor));
            s.lastFlaggedDay(localDay);
            if (s.flowKind() < 0 && flaggedNights >= q.nights()) {
                int since = endH - (flaggedNights - 1) * 24 - s.nightHours();
                startFlow(slot, s, p, LeakKind.NIGHT_FLOW, since, endH, floor - usual, usual, sink);
            } else if (s.flowKind() >= 0) {
                s.flowRateMlph((int) Math.max(s.flowRateMlph(), floor - usual));
                s.evidenceKind(LeakKind.NIGHT_FLOW.ordinal());
            }
        } else {
            s.flaggedNights(0);
        }
        if (q.riseMlph() > 0 && trusted && shape && floor >= median + q.riseMlph()) {
            int riseNights = s.lastRiseDayIs(localDay - 1) ? Math.min(100, s.riseNights() + 1) : 1;
            s.riseNights(riseNights);
            s.lastRiseDay(localDay);
            if (s.flowKind() < 0 && riseNights >= q.riseNights()) {
                startFlow(slot, s, p, LeakKind.FLOOR_RISE, endH - riseNights * 24, endH, floor - median, usual, sink);
            }
        } else {
            s.riseNights(0);
        }
        if (s.flowKind() < 0) { // every complete night outside a leak episode: the household's floor follows its life
            addNight(s, (int) Math.min(MAX, floor));
            s.nightsLearnt(Math.min(Short.MAX_VALUE, s.nightsLearnt() + 1));
            boolean t = trusted(s, p);
            s.usualBin(t ? nightQuantileBin(s, q.usualPercentile() * 10) : 0);
            s.quietBin(t ? nightQuantileBin(s, q.quietPercentile() * 10) : 0);
        }
    }

    private void burst(int slot, State s, LeakProfile p, int hour, int v, EventSink sink) {
        LeakProfile.Params q = p.params();
        long threshold = p.burstMinLph();
        // The household's own 99.9th percentile only matters for an hour at or above the absolute floor: most hours are not.
        if (v >= threshold && s.hoursLearnt() >= q.learnNights() * 24) {
            threshold = Math.max(threshold, (long) q.burstFactor() * binValue(HOUR_EDGES, hourQuantileBin(s, 999)));
        }
        if (v >= threshold) {
            if (s.burstRun() == 0) {
                s.burstStartH(hour);
                s.burstL(0);
            }
            int run = s.burstRun() + 1;
            s.burstRun(run);
            int burstL = (int) Math.min(MAX, (long) s.burstL() + v);
            s.burstL(burstL);
            if (run >= q.burstHours() && !s.burstActive()) {
                s.burstActive(true);
                sink.event(slot, new Event(Phase.START, LeakKind.BURST, (hour + 1) * HOUR, s.burstStartH() * HOUR,
                        burstL * 1000L / run, burstL, 3, run + " h in a row at or above " + threshold
                        + " L/h (this hour " + v + " L; the larger of " + p.burstMinLph() + " L/h = "
                        + q.burstPercentOfQmax() + " % of Qmax on " + p.className() + " and " + q.burstFactor()
                        + " x the household's 99.9th-percentile hour)"));
            }
        } else if (s.burstRun() != 0 || s.burstActive()) {
            if (s.burstActive()) {
                int run = s.burstRun();
                sink.event(slot, new Event(Phase.END, LeakKind.BURST, hour * HOUR, s.burstStartH() * HOUR,
                        s.burstL() * 1000L / Math.max(1, run), s.burstL(), 3, "flow back below " + threshold
                        + " L/h after " + run + " h; " + s.burstL() + " L in those hours"));
            }
            s.burstActive(false);
            s.burstRun(0);
        }
    }

    private void startFlow(int slot, State s, LeakProfile p, LeakKind kind, int sinceH, int atH, long rateMlph,
                           long usual, EventSink sink) {
        s.flowKind(kind.ordinal());
        s.evidenceKind(kind.ordinal());
        s.flowStartH(sinceH);
        int rate = (int) Math.max(0, Math.min(MAX, rateMlph));
        s.flowRateMlph(rate);
        s.lostMl((long) rate * (atH - sinceH));
        s.lastUpdateH(atH);
        s.severity(1);
        sink.event(slot, new Event(Phase.START, kind, atH * HOUR, sinceH * HOUR, rate, s.lostMl() / 1000, 1,
                evidence(s, p, kind, usual)));
    }

    private void progress(int slot, State s, LeakProfile p, int endH, long usual, EventSink sink) {
        if (endH <= s.lastUpdateH()) return; // the starting hour is counted in the start's estimate
        LeakProfile.Params q = p.params();
        int rate = s.flowRateMlph();
        s.lostMl(s.lostMl() + rate);
        int hours = endH - s.flowStartH();
        int severity = hours >= q.severity3Hours() ? 3 : hours >= q.severity2Hours() ? 2 : 1;
        if (severity > s.severity() || endH - s.lastUpdateH() >= q.updateHours()) {
            s.severity(Math.max(s.severity(), severity));
            s.lastUpdateH(endH);
            sink.event(slot, new Event(Phase.UPDATE, s.flow(), endH * HOUR, s.flowStartH() * HOUR, rate,
                    s.lostMl() / 1000, s.severity(), "still flowing after " + hours + " h at about " + rate
                    + " mL/h; " + evidence(s, p, KINDS[s.evidenceKind()], usual)));
        }
    }

    private void endFlow(int slot, State s, int endedH, EventSink sink) {
        int hours = Math.max(0, endedH - s.flowStartH());
        sink.event(slot, new Event(Phase.END, s.flow(), endedH * HOUR, s.flowStartH() * HOUR, s.flowRateMlph(),
                s.lostMl() / 1000, s.severity(), "flow back to the household's quiet level at "
                + Instant.ofEpochMilli(endedH * HOUR) + " after " + hours + " h"));
        s.flowKind(-1);
        s.flaggedNights(0);
        s.riseNights(0);
    }

    /**
     * Whether the night's last hours (up to four) sit at one level: a leak shows its flow in every quiet
     * hour, random use rarely repeats a level and a boiler cycles. With a floor of a register step or more,
     * all hours but one at the floor; below that, every block of {@code nb} hours at one nonzero level.
     */
    private static boolean steady(State s, LeakProfile.Params q, int nb) {
        int n = Math.min(4, s.nightHours());
        if (n < 3) return false;
        long recent = s.recent();
        int minR = MAX;
        for (int i = 0; i < n; i++) minR = Math.min(minR, hourAgo(recent, i));
        if (minR >= 1) {
            int atFloor = 0;
            for (int i = 0; i < n; i++) if (hourAgo(recent, i) <= minR + tolerance(minR, q)) atFloor++;
            return atFloor >= n - (minR * 1000L < q.steadyAllBelowMlph() ? 0 : 1);
        }
        int minB = MAX;
        int maxB = 0;
        for (int i = 0; i + nb <= n; i++) {
            int b = 0;
            for (int k = 0; k < nb; k++) b += hourAgo(recent, i + k);
            minB = Math.min(minB, b);
            maxB = Math.max(maxB, b);
        }
        return nb > 1 && minB >= 1 && maxB <= minB + tolerance(minB, q);
    }

    /** The smallest of the night's last (up to) four hours. */
    private static int nightLevel(State s) {
        int n = Math.min(4, s.nightHours());
        long recent = s.recent();
        int m = MAX;
        for (int i = 0; i < n; i++) m = Math.min(m, hourAgo(recent, i));
        return m;
    }

    private static int hourAgo(long recent, int i) {
        return (int) ((recent >>> (16 * i)) & 0xFFFF);
    }

    /** The numbers behind a detector's finding, from the state as it stands. */
    private static String evidence(State s, LeakProfile p, LeakKind kind, long usual) {
        LeakProfile.Params q = p.params();
        int b = p.blockHours();
        String base = trusted(s, p) ? "household's usual night floor " + usual + " mL/h (P" + q.usualPercentile()
                + " of " + s.nightsLearnt() + " nights)" : "household baseline not learnt yet (" + s.nightsLearnt() + " of "
                + q.learnNights() + " nights)";
        return switch (kind) {
            case CONTINUOUS_FLOW -> "no " + b + " quiet hour" + (b > 1 ? "s" : "") + " in a row for " + s.flowHours()
                    + " h (quiet: at most " + usual / 1000 + " L/h), smallest hour " + s.runMinL() + " L, a steady night"
                    + " ending " + Instant.ofEpochMilli(s.steadyNightEndH() * HOUR) + ", smallest " + b + "-hour block "
                    + (s.runMinBlock() == MAX ? "-" : s.runMinBlock() + " L") + "; " + base;
            case NIGHT_FLOW -> s.flaggedNights() + " night" + (s.flaggedNights() > 1 ? "s" : "") + " in a row with a floor of "
                    + s.lastNightFloor() + " mL/h between " + String.format("%02d:00 and %02d:00", q.nightStartHour(),
                    q.nightEndHour()) + " local (" + s.nightMinL() + "-" + s.nightMaxL() + " L/h); " + base;
            case FLOOR_RISE -> s.riseNights() + " nights in a row with a floor at least " + q.riseMlph()
                    + " mL/h above the household's median (tonight " + s.lastNightFloor() + " mL/h); " + base;
            case HOUR_FLOOR -> {
                int n = q.floorHours() / q.floorBlockHours();
                int w = windowFloor(s, n);
                yield "every hour of the last " + s.floorRunHours() + " h at or above " + floorThreshold(s, q) + " mL/h ("
                        + (trustedBlockFloor(s, q) ? "the household's usual floor " + s.usualBlockFloorL()
                        + " L/h, the running median of " + s.floorBlocksLearnt() + " blocks' smallest hours, + "
                        + q.floorMarginMlph() + " mL/h" : "twice the minimum: the household's floor not learnt yet, "
                        + s.floorBlocksLearnt() + " blocks") + "); " + blocksAtFloor(s, n, w, q) + " of the last " + n
                        + " blocks of " + q.floorBlockHours() + " h with their smallest hour at " + w + " L (within "
                        + floorTolerance(w, q) + " L)" + (q.floorHeldHours() > 1 && w * 1000L < q.floorHeldBelowMlph()
                        ? ", held " + q.floorHeldHours() + " h in a row in one of them" : "") + "; " + base;
            }
            case BURST -> "burst";
        };
    }

    private static boolean trusted(State s, LeakProfile p) {
        return s.nightsLearnt() >= p.params().learnNights();
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
        long recent = s.recent();
        int sum = 0;
        for (int i = 0; i < b; i++) sum += hourAgo(recent, i);
        return sum;
    }

    private static long nightQuantile(State s, int permille) {
        return binValue(NIGHT_EDGES, nightQuantileBin(s, permille));
    }

    /** The bin holding the permille-quantile of the nightly floors (0 when empty). */
    private static int nightQuantileBin(State s, int permille) {
        long total = 0;
        for (int i = 0; i < NIGHT_EDGES.length; i++) total += s.nightBin(i);
        if (total == 0) return 0;
        long target = (total * permille + 999) / 1000;
        long cum = 0;
        for (int i = 0; i < NIGHT_EDGES.length; i++) {
            cum += s.nightBin(i);
            if (cum >= target) return i;
        }
        return NIGHT_EDGES.length - 1;
    }

    private static int hourQuantileBin(State s, int permille) {
        long total = 0;
        for (int i = 0; i < HOUR_EDGES.length; i++) total += s.hourBin(i);
        if (total == 0) return 0;
        long target = (total * permille + 999) / 1000;
        long cum = 0;
        for (int i = 0; i < HOUR_EDGES.length; i++) {
            cum += s.hourBin(i);
            if (cum >= target) return i;
        }
        return HOUR_EDGES.length - 1;
    }

    /** The upper end of a bin (0 for the zero bin; twice the lower edge for the last). */
    static int binValue(int[] edges, int i) {
        if (i == 0) return 0;
        return i + 1 < edges.length ? edges[i + 1] - 1 : edges[i] * 2;
    }

    private static int binOf(int[] edges, int value) {
        int i = edges.length - 1;
        while (i > 0 && value < edges[i]) i--;
        return i;
    }

    private static void addNight(State s, int value) {
        int i = binOf(NIGHT_EDGES, value);
        if (s.nightBin(i) >= NIGHT_HALVE_AT) {
            for (int k = 0; k < NIGHT_EDGES.length; k++) s.nightBin(k, s.nightBin(k) / 2);
        }
        s.nightBin(i, s.nightBin(i) + 1);
    }

    /** Hour bins of 0..1023 L by table: nearly every hour of every household, without a search. */
    private static final byte[] HOUR_BIN = new byte[1024];

    static {
        for (int v = 0; v < HOUR_BIN.length; v++) HOUR_BIN[v] = (byte) binOf(HOUR_EDGES, v);
    }

    private static void addHour(State s, int value) {
        int i = value < HOUR_BIN.length ? HOUR_BIN[Math.max(0, value)] : binOf(HOUR_EDGES, value);
        if (s.hourBin(i) >= HOUR_HALVE_AT) {
            for (int k = 0; k < HOUR_EDGES.length; k++) s.hourBin(k, s.hourBin(k) / 2);
        }
        s.hourBin(i, s.hourBin(i) + 1);
    }

    /** Test: the 21 words of the meter's own block in their logical order (zeros before its first interval). */
    long[] blockWords(int slot) {
        long[] w = new long[WORDS];
        if (slot >= ownMeters()) return w;
        int b = slot * WORDS;
        for (int i = 0; i < WORDS; i++) w[i] = own[place(i, b, b + HOT_WORDS, b + HOT_WORDS + WARM_WORDS)];
        return w;
    }

    /** Bytes of this detector's own per-meter blocks as allocated (a caller's array counts its own). */
    public long stateBytes() {
        return own.length * 8L;
    }

    /** Bytes of state per meter: one block of {@link #WORDS} longs, no object, no reference. */
    public static long perMeterBytes() {
        return WORDS * 8L;
    }

    private int ownMeters() {
        return own.length / WORDS;
    }

    private long[] own(int slot) {
        if (slot >= ownMeters()) {
            int old = ownMeters();
            int meters = Math.max(slot + 1, Math.max(ownMeters, old * 2));
            own = Arrays.copyOf(own, meters * WORDS);
            for (int m = old; m < meters; m++) State.clearOwn(own, m * WORDS);
        }
        return own;
    }
}
