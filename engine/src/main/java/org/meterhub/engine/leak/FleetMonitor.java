package org.meterhub.engine.leak;

import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.meterhub.engine.consumption.Arrival;
import org.meterhub.engine.consumption.ConsumptionCalculator;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.consumption.MeterKeys;
import org.meterhub.engine.consumption.PrimitiveHourSplitter;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.Validator;
import org.meterhub.engine.vee.VeeSettings;

/**
 * The streaming engine for a fleet: each reading is validated against the meter's previous
 * one, turned into consumption intervals, and the intervals run through the leak detectors.
 * Findings go to the sinks given at construction; what to do with them (store flags, raise
 * alarms) is the caller's business. Single-threaded.
 *
 * <p>The rules are those of {@link Validator}, {@link ConsumptionCalculator#advance} and
 * {@link LeakDetector} (a test feeds both the same readings and compares every event). Each meter's
 * state is in a single array: {@value #STRIDE} longs (40 bytes) of validation and consumption state and, when the
 * leak detectors are on, their {@link LeakDetector#WORDS} longs (the household's learnt baseline included) — 208
 * bytes a meter in three regions of the array, each a line-aligned run of per-meter parts: hot (the five longs and
 * the detectors' {@link LeakDetector#HOT_WORDS}: 64 bytes, one cache line a meter, all a reading touches), warm
 * ({@link LeakDetector#WARM_WORDS}: 64 bytes, one line; with the hot line, all a known day hour's judging touches)
 * and cold ({@link LeakDetector#COLD_WORDS}: 80 bytes; night evaluation, hour floor, episodes). So a reading of a
 * random meter touches one line of the state and one of the key table. Layout of the first five longs:
 * <pre>
 *  0 last register time (epoch ms)      1 last register (L)
 *  2 register capacity (L, low 56 bits) | meter class (top byte)
 *  3 time of the last increase (ms)     4 validator state bits (low byte) | the hour waiting to be judged
 *                                         (above: waiting:1 | unknown:1 | litres:31)
 * </pre>
 * A reading only adds its litres to the meter's hour (the block's first cache line: these five longs and the
 * detectors' word 0); the hour it completes waits in word 4 and the fleet's waiting hours are judged together, in one
 * pass over the blocks in slot order, every {@link #judgingEvery} of fleet clock (see there: same verdicts, in time
 * order per meter; at most one hour waits per meter).
 * Meter exchanges and late readings are the live path's business ({@link ConsumptionCalculator#arrive}).
 */
public final class FleetMonitor {
    /** Longs of validation and consumption state per meter (the leak detectors' block follows when on). */
    public static final int STRIDE = 5;

    private static final int LAST_T = 0;
    private static final int LAST_V = 1;
    private static final int CAP_CLASS = 2;
    private static final int LAST_INC = 3;
    private static final int SMALL_W = 4;
    private static final int SHIFT_BITS = 0;
    private static final long CAP_MASK = (1L << 56) - 1;

    private static final long UNSEEN = Long.MIN_VALUE;
    private static final long HOUR = 3_600_000L;
    private static final int SPREAD = IntervalSink.bit(IntervalFlag.SPREAD);
    private static final int ROLLOVER = IntervalSink.bit(IntervalFlag.ROLLOVER);
    private static final int DECREASE = IntervalSink.bit(IntervalFlag.REGISTER_DECREASE);
    private static final int FAULT_BITS = Validator.bit(ReadingFlag.VALVE_FAULT) | Validator.bit(ReadingFlag.LOW_BATTERY);
    private static final int CLOCK_BITS = Validator.bit(ReadingFlag.CLOCK_SKEW) | Validator.bit(ReadingFlag.CLOCK_INVALID);
    // validator state bits
    private static final int USED_BEFORE = 32;
    private static final int STUCK_FLAGGED = 64;
    private static final int VEE_BITS = USED_BEFORE | STUCK_FLAGGED;
    // The hour waiting to be judged, in word 4 above the validator's byte: always the hour before the one the
    // detectors are filling (the splitter gives every hour between two readings an interval).
    private static final long PENDING = 1L << 8;
    private static final long PENDING_UNKNOWN = 1L << 9;
    private static final int PENDING_L_SHIFT = 10;
    private static final long PENDING_L_MASK = 0x7FFF_FFFFL;
    private static final long PENDING_BITS = PENDING | PENDING_UNKNOWN | (PENDING_L_MASK << PENDING_L_SHIFT);
    /** Default of {@link #judgingEvery}. */
    public static final java.time.Duration JUDGE_EVERY = java.time.Duration.ofMinutes(15);

    private final MeterKeys keys;
    private final Function<String, Optional<ConsumptionCalculator.Baseline>> baselines;
    private final MeterClass[] classes;
    private final LeakProfile[] profiles;
    private final Validator.FlagSink flagSink;
    private final LeakDetector.EventSink detectionSink;
    private final LeakDetector leaks;
    private final IntervalSink intervalSink;
    private final PrimitiveHourSplitter splitter = new PrimitiveHourSplitter();
    private final long spreadAfterMs;
    private final long stuckAfterMs;
    private final long maxSkewMs;
    private final long unitTolerance;
    private long[] state;
    /** Longs per meter in the first (hot) region: {@link #STRIDE}, plus {@link LeakDetector#HOT_WORDS} with the detectors on. */
    private int stride = HOT;
    private static final int HOT = STRIDE + LeakDetector.HOT_WORDS;
    private static final int WARM = LeakDetector.WARM_WORDS;
    private static final int COLD = LeakDetector.COLD_WORDS;
    /**
     * Longs before the first region: six longs after the array's 16-byte header start it on a cache line (a large
     * array begins on a heap region); the hot and warm parts are 64 bytes, so every meter's hot and warm parts are
     * one line each, and the cold region starts on a line too.
     */
    private int pad = LINE_PAD;
    private static final int LINE_PAD = 6;
    /** Meters the array holds; the warm and cold regions start after {@code capacity} hot and warm parts. */
    private int capacity;
    private int warmStart;
    private int coldStart;
    private LeakProfile current;
    private int currentBase;
    private long readings;
    private long intervals;
    private long touched; // keeps prefetch loads from being optimised away
    /** One bit per meter: it may have a complete hour waiting (the block's {@link #PENDING} bit decides). */
    private long[] pendingBits = new long[0];
    private boolean anyPending;
    private long judgeEveryMs = JUDGE_EVERY.toMillis();
    /** The fleet clock's next multiple of {@link #judgeEveryMs}: a reading there or later runs a judging pass. */
    private long nextPassMs = Long.MIN_VALUE;
    private long passes;
    private long judgedOnPath;
    private long judgedInPasses;
    private int tracked;
    private boolean detectLeaks = true;

    /**
     * @param classes    the meter classes in use; a meter's class is an index into this list (at most 127)
     * @param downstream also receives every interval (e.g. to store it); may be a no-op
     */
    public FleetMonitor(List<MeterClass> classes, LeakProfile.Settings leakSettings, VeeSettings veeSettings,
                        ZoneId zone, int expectedMeters, Function<String, Optional<ConsumptionCalculator.Baseline>> baselines,
                        Validator.FlagSink flagSink, LeakDetector.EventSink detectionSink, IntervalSink downstream) {
        if (classes.isEmpty() || classes.size() > 127) throw new IllegalArgumentException("1 to 127 meter classes");
        this.leaks = new LeakDetector(zone, expectedMeters);
        this.keys = new MeterKeys(expectedMeters);
        this.baselines = baselines;
        this.classes = classes.toArray(new MeterClass[0]);
        this.profiles = classes.stream().map(c -> LeakProfile.of(c, leakSettings)).toArray(LeakProfile[]::new);
        this.flagSink = flagSink;
        this.detectionSink = detectionSink;
        this.spreadAfterMs = ConsumptionSettings.defaults().spreadAfter().toMillis();
        this.stuckAfterMs = veeSettings.stuckAfter().toMillis();
        this.maxSkewMs = veeSettings.maxClockSkew().toMillis();
        this.unitTolerance = veeSettings.unitTolerancePercent();
        this.state = new long[0];
        grow(Math.max(16, expectedMeters));
        this.intervalSink = (slot, a, b, v, f) -> {
            intervals++;
            downstream.interval(slot, a, b, v, f);
            if (detectLeaks) {
                long done = LeakDetector.fill(state, currentBase + STRIDE, a, v, f);
                if (done != LeakDetector.NO_HOUR) completed(slot, currentBase, done);
            }
        };
    }

    /**
     * When the fleet's complete hours are judged (the leak detectors' verdict on each meter-hour). A meter's hour is
     * complete when its first interval of a later hour arrives (its next reading after the hour's end), as before;
     * the reading then only stores the hour in the meter's block, and the hours waiting are judged in one pass over
     * the meters in slot order when the fleet clock — the latest reading time of a reading within
     * {@link VeeSettings#maxClockSkew()} of its receipt — reaches the next multiple of {@code every} (epoch-aligned:
     * with 15 minutes, at :00, :15, :30 and :45 UTC), or when {@link #judgeCompleteHours()} or {@link #flush()} is
     * called. A meter whose next hour completes before a pass has judged its last one has that one judged at once,
     * on its reading, so no meter ever waits with more than one hour. Each meter's hours are judged once each, in
     * time order, by the same code as before: the events are the same, only later by up to {@code every} of fleet
     * clock (and in meter order within a pass rather than in reading order). {@link java.time.Duration#ZERO}: every
     * hour is judged on the reading that completes it (the previous behaviour).
     */
    public FleetMonitor judgingEvery(java.time.Duration every) {
        if (every.isNegative()) throw new IllegalArgumentException("judging interval below zero: " + every);
        if (every.toMillis() > HOUR) throw new IllegalArgumentException("judging interval above an hour: " + every);
        judgeEveryMs = every.toMillis();
        nextPassMs = Long.MIN_VALUE;
        if (judgeEveryMs == 0) judgeCompleteHours();
        return this;
    }

    /**
     * Judges every complete hour waiting now, meters in slot order (one sequential pass over their blocks); the
     * fleet clock calls it every {@link #judgingEvery}; a caller may call it any time (e.g. on a wall-clock timer
     * while no readings arrive). Changes no verdict, only when it is given.
     *
     * @return the meter-hours judged
     */
    public int judgeCompleteHours() {
        if (!anyPending) return 0;
        anyPending = false;
        passes++;
        int judged = 0;
        long[] bits = pendingBits;
        for (int i = 0; i < bits.length; i++) {
            long w = bits[i];
            if (w == 0) continue;
            bits[i] = 0;
            while (w != 0) {
                int slot = (i << 6) + Long.numberOfTrailingZeros(w);
                w &= w - 1;
                int b = base(slot);
                if ((state[b + SMALL_W] & PENDING) != 0) {
                    judgePending(slot, b, LeakDetector.hourOf(state[b + STRIDE]) - 1, profiles[classIndex(b)]);
                    judged++;
                }
            }
        }
        judgedInPasses += judged;
        return judged;
    }

    /** Judging passes run, meter-hours judged in them, meter-hours judged on the reading that completed them. */
    public long[] judgingCounts() {
        return new long[] {passes, judgedInPasses, judgedOnPath};
    }

    /** The meter's hour {@code done} is complete (its reading brought an interval of a later hour). */
    private void completed(int slot, int b, long done) {
        long w = state[b + SMALL_W];
        if ((w & PENDING) != 0) { // its next hour came before a pass: the waiting one (the hour before) first, here
            judgePending(slot, b, LeakDetector.hourOf(done) - 1, current);
            judgedOnPath++;
            w = state[b + SMALL_W];
        }
        int filling = LeakDetector.hourOf(state[b + STRIDE]);
        if (judgeEveryMs == 0 || LeakDetector.hourOf(done) + 1 != filling) {
            leaks.judge(state, b + STRIDE, warm(slot), cold(slot), slot, done, current, detectionSink);
            judgedOnPath++;
            return;
        }
        long litres = (done >>> 32) & PENDING_L_MASK;
        state[b + SMALL_W] = (w & ~PENDING_BITS) | PENDING | (done < 0 ? PENDING_UNKNOWN : 0)
                | (litres << PENDING_L_SHIFT);
        pendingBits[slot >>> 6] |= 1L << slot;
        anyPending = true;
    }

    /**
     * Judges the meter's waiting hour: the hour before the one its detectors are filling (the caller says which, as
     * the meter's reading may be moving it on).
     */
    private void judgePending(int slot, int b, int hour, LeakProfile p) {
        long w = state[b + SMALL_W];
        state[b + SMALL_W] = w & ~PENDING_BITS;
        long hourWord = (hour & 0xFFFF_FFFFL) | (((w >>> PENDING_L_SHIFT) & PENDING_L_MASK) << 32)
                | ((w & PENDING_UNKNOWN) != 0 ? Long.MIN_VALUE : 0);
        leaks.judge(state, b + STRIDE, warm(slot), cold(slot), slot, hourWord, p, detectionSink);
    }

    /**
     * Turns the leak detectors off (validation and consumption only): the benchmarks' reference run. The
     * blocks shrink to the first {@value #STRIDE} longs.
     */
    public FleetMonitor withoutLeakDetection() {
        if (!detectLeaks) return this;
        detectLeaks = false;
        int meters = capacity;
        long[] small = new long[meters * STRIDE];
        for (int m = 0; m < meters; m++) System.arraycopy(state, base(m), small, m * STRIDE, STRIDE);
        state = small;
        stride = STRIDE;
        pad = 0;
        pendingBits = new long[0];
        anyPending = false;
        return this;
    }

    public MeterKeys keys() {
        return keys;
    }

    /** Sets the meter's class (index into the constructor's list); meters default to class 0. */
    public void assignClass(int slot, int classIndex) {
        if (classIndex < 0 || classIndex >= classes.length) throw new IllegalArgumentException("no class " + classIndex);
        ensure(slot);
        // An hour waiting is judged with the class it was completed under.
        if (detectLeaks && (state[base(slot) + SMALL_W] & PENDING) != 0) {
            int b = base(slot);
            judgePending(slot, b, LeakDetector.hourOf(state[b + STRIDE]) - 1, profiles[classIndex(b)]);
        }
        int i = base(slot) + CAP_CLASS;
        state[i] = (state[i] & CAP_MASK) | ((long) classIndex << 56);
    }

    public MeterClass classOf(int slot) {
        return classes[slot < capacity ? classIndex(base(slot)) : 0];
    }

    /** Time (epoch ms) of the meter's last accepted register, or {@link Long#MIN_VALUE} if none. */
    public long lastTimeMs(int slot) {
        return slot < capacity ? state[base(slot) + LAST_T] : UNSEEN;
    }

    public long lastVolumeL(int slot) {
        return slot < capacity ? state[base(slot) + LAST_V] : 0;
    }

    /**
     * One reading of the meter in {@code slot}.
     *
     * @param readingFlags bits of {@link ReadingFlag} ordinals ({@link Validator#bit})
     * @return the {@link Arrival} ordinal
     */
    public int reading(int slot, long timeMs, long receivedAtMs, long volumeL, int readingFlags, int statusBits,
                       boolean supplied) {
        readings++;
        ensure(slot);
        int b = base(slot);
        int c = classIndex(b);
        current = profiles[c];
        currentBase = b;
        validate(slot, b, timeMs, volumeL, readingFlags, statusBits, receivedAtMs, classes[c], supplied);
        int arrival = advance(slot, b, timeMs, volumeL);
        if (timeMs >= nextPassMs && detectLeaks && Math.abs(timeMs - receivedAtMs) <= maxSkewMs) {
            judgeCompleteHours();
            nextPassMs = judgeEveryMs == 0 ? Long.MAX_VALUE : Math.floorDiv(timeMs, judgeEveryMs) * judgeEveryMs + judgeEveryMs;
        }
        return arrival;
    }

    /**
     * Loads the meter's state block ahead of its reading. A caller with a batch (an MQTT batch, a
     * file) looks up the slots of, say, 16 readings, calls this for each, then calls
     * {@link #reading} for each: the cache misses of the 16 blocks then overlap instead of being
     * waited for one after another. Changes nothing.
     */
    public void prefetch(int slot) {
        int b = base(slot);
        if (slot < capacity) touched ^= state[b] ^ state[b + SMALL_W];
    }

    /** Judges each meter's hours now, the complete ones waiting and the last one (end of a replay). */
    public void flush() {
        if (!detectLeaks) return;
        judgeCompleteHours();
        for (int slot = 0; slot < keys.size(); slot++) {
            int b = base(slot);
            if (slot < capacity) leaks.flush(state, b + STRIDE, warm(slot), cold(slot), slot, profiles[classIndex(b)], detectionSink);
        }
    }

    public long readings() {
        return readings;
    }

    public long intervals() {
        return intervals;
    }

    public int trackedMeters() {
        return tracked;
    }

    /** Bytes of per-meter state (the state array as allocated and the key table) divided by meters known. */
    public double stateBytesPerMeter() {
        return keys.size() == 0 ? 0 : (double) stateBytes() / keys.size();
    }

    public long stateBytes() {
        return state.length * 8L + pendingBits.length * 8L + keys.stateBytes();
    }

    // ---- validation (the rules of Validator.check) ----

    private void validate(int slot, int b, long timeMs, long volumeL, int readingFlags, int statusBits,
                          long receivedAtMs, MeterClass mc, boolean supplied) {
        if ((readingFlags & FAULT_BITS) != 0) {
            flagSink.flag(slot, timeMs, FlagKind.METER_FAULT, readingFlags & FAULT_BITS, statusBits);
        }
        long skew = timeMs - receivedAtMs;
        if ((readingFlags & CLOCK_BITS) != 0 || Math.abs(skew) > maxSkewMs) {
            flagSink.flag(slot, timeMs, FlagKind.CLOCK_SKEW, skew, readingFlags & CLOCK_BITS);
        }
        long prevT = state[b + LAST_T];
        if (prevT == UNSEEN || timeMs <= prevT) return;
        long prevL = state[b + LAST_V];
        long cap = capacity(b);
        long delta = volumeL - prevL;
        boolean rollover = delta < 0 && prevL > cap / 10 * 9 && volumeL < cap / 10;
        if (rollover) delta = cap - prevL + volumeL;
        long limit = mc.qmaxLph() * (timeMs - prevT) / HOUR;
        if ((delta < 0 || delta > limit) && prevL >= 1000) {
            long factor = Validator.unitFactor(prevL, volumeL, unitTolerance);
            if (factor != 0) {
                flagSink.flag(slot, timeMs, FlagKind.UNIT_MISMATCH, factor, prevL);
                return;
            }
        }
        if (delta < 0) {
            if (!mc.bidirectional()) flagSink.flag(slot, timeMs, FlagKind.REVERSE_FLOW, -delta, prevL);
            return;
        }
        if (delta > limit) flagSink.flag(slot, timeMs, FlagKind.SPIKE, delta, limit);
        int bits = smallByte(b, SHIFT_BITS);
        if (delta > 0) {
            state[b + LAST_INC] = timeMs;
            setSmallByte(b, SHIFT_BITS, (bits & ~VEE_BITS) | USED_BEFORE);
        } else if ((bits & VEE_BITS) == USED_BEFORE && supplied && timeMs - state[b + LAST_INC] >= stuckAfterMs) {
            setSmallByte(b, SHIFT_BITS, bits | STUCK_FLAGGED);
            flagSink.flag(slot, timeMs, FlagKind.STUCK_REGISTER, (timeMs - state[b + LAST_INC]) / 86_400_000L, volumeL);
        }
    }

    // ---- consumption (the rules of ConsumptionCalculator.advance) ----

    private int advance(int slot, int b, long timeMs, long volumeL) {
        if (state[b + LAST_T] == UNSEEN && !seed(slot, b, timeMs, volumeL)) return Arrival.FIRST.ordinal();
        long prevT = state[b + LAST_T];
        if (timeMs == prevT) return Arrival.DUPLICATE.ordinal();
        if (timeMs < prevT) return Arrival.LATE_UNCORRECTED.ordinal();
        long fromL = state[b + LAST_V];
        long cap = state[b + CAP_CLASS] & CAP_MASK;
        state[b + LAST_T] = timeMs; // before emitting: the sinks may read it
        state[b + LAST_V] = volumeL;
        int flags = 0;
        long delta = volumeL - fromL;
        if (delta < 0) {
            // A wrap is only plausible from near the top of the register; anything else went backwards.
            if (fromL > cap / 10 * 9 && volumeL < cap / 10) {
                delta = cap - fromL + volumeL;
                flags |= ROLLOVER;
            } else {
                delta = 0;
                flags |= DECREASE;
            }
        }
        if (timeMs - prevT > spreadAfterMs) flags |= SPREAD;
        splitter.split(slot, prevT, timeMs, delta, flags, intervalSink);
        return Arrival.IN_ORDER.ordinal();
    }

    private boolean seed(int slot, int b, long timeMs, long volumeL) {
        tracked++;
        Optional<ConsumptionCalculator.Baseline> base = baselines.apply(keys.idOf(slot));
        long cap = base.map(ConsumptionCalculator.Baseline::registerCapacityL).orElse(MeterInfo.CJT188_CAPACITY_L);
        if (cap > CAP_MASK) throw new IllegalArgumentException("register capacity above 2^56 L: " + cap);
        state[b + CAP_CLASS] = (state[b + CAP_CLASS] & ~CAP_MASK) | cap;
        if (base.isEmpty() || base.get().time().toEpochMilli() >= timeMs) {
            state[b + LAST_T] = timeMs;
            state[b + LAST_V] = volumeL;
            return false;
        }
        state[b + LAST_T] = base.get().time().toEpochMilli();
        state[b + LAST_V] = base.get().volumeL();
        return true;
    }

    // ---- the block ----

    private int classIndex(int b) {
        return (int) (state[b + CAP_CLASS] >>> 56);
    }

    private long capacity(int b) {
        long cap = state[b + CAP_CLASS] & CAP_MASK;
        return cap > 0 ? cap : MeterInfo.CJT188_CAPACITY_L;
    }

    private int smallByte(int b, int shift) {
        return (int) ((state[b + SMALL_W] >>> shift) & 0xFF);
    }

    private void setSmallByte(int b, int shift, int value) {
        state[b + SMALL_W] = (state[b + SMALL_W] & ~(0xFFL << shift)) | ((long) (value & 0xFF) << shift);
    }

    private void ensure(int slot) {
        if (slot >= capacity) grow(Math.max(slot + 1, capacity * 2));
    }

    private int base(int slot) {
        return pad + slot * stride;
    }

    private int warm(int slot) {
        return warmStart + slot * WARM;
    }

    private int cold(int slot) {
        return coldStart + slot * COLD;
    }

    /** Test: the meter's 26 words (the monitor's five, then the detectors' 21 in their logical order). */
    long[] blockWords(int slot) {
        long[] w = new long[STRIDE + LeakDetector.WORDS];
        int b = base(slot);
        System.arraycopy(state, b, w, 0, STRIDE);
        if (detectLeaks) {
            for (int i = 0; i < LeakDetector.WORDS; i++) {
                w[STRIDE + i] = state[LeakDetector.place(i, b + STRIDE, warm(slot), cold(slot))];
            }
        }
        return w;
    }

    private void grow(int meters) {
        long perMeter = stride + (detectLeaks ? WARM + COLD : 0);
        if (pad + (long) meters * perMeter > Integer.MAX_VALUE - 8) throw new IllegalStateException("too many meters: " + meters);
        int old = capacity;
        long[] was = state;
        int wasWarm = warmStart;
        int wasCold = coldStart;
        state = new long[(int) (pad + meters * perMeter)];
        if (old > 0) System.arraycopy(was, 0, state, 0, pad + old * stride);
        capacity = meters;
        warmStart = pad + meters * stride;
        coldStart = warmStart + (detectLeaks ? meters * WARM : 0);
        if (detectLeaks && old > 0) {
            System.arraycopy(was, wasWarm, state, warmStart, old * WARM);
            System.arraycopy(was, wasCold, state, coldStart, old * COLD);
        }
        if (detectLeaks) {
            pendingBits = java.util.Arrays.copyOf(pendingBits, (meters + 63) >>> 6);
        }
        for (int m = old; m < meters; m++) {
            int b = base(m);
            state[b + LAST_T] = UNSEEN;
            if (detectLeaks) LeakDetector.clear(state, b + STRIDE, warm(m), cold(m));
        }
    }
}
