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
 * state is one block of a single array: {@value #STRIDE} longs (40 bytes) of validation and consumption
 * state, followed by the leak detectors' {@link LeakDetector#WORDS} longs (the household's learnt baseline
 * included) when they are on — 192 bytes, three cache lines, so a reading of a random meter touches
 * neighbouring lines of one block and one line of the key table. Layout of the first five longs:
 * <pre>
 *  0 last register time (epoch ms)      1 last register (L)
 *  2 register capacity (L, low 56 bits) | meter class (top byte)
 *  3 time of the last increase (ms)     4 validator state bits (low byte)
 * </pre>
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
    /** Longs per meter: {@link #STRIDE}, plus {@link LeakDetector#WORDS} with the detectors on. */
    private int stride = STRIDE + LeakDetector.WORDS;
    /**
     * Longs before the first block. With the detectors on, a block is 192 bytes, three cache lines: six longs
     * after the array's 16-byte header start every block on a line (a large array begins on a heap region).
     */
    private int pad = LINE_PAD;
    private static final int LINE_PAD = 6;
    private LeakProfile current;
    private int currentBase;
    private long readings;
    private long intervals;
    private long touched; // keeps prefetch loads from being optimised away
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
            if (detectLeaks) leaks.onInterval(state, currentBase + STRIDE, slot, a, v, f, current, detectionSink);
        };
    }

    /**
     * Turns the leak detectors off (validation and consumption only): the benchmarks' reference run. The
     * blocks shrink to the first {@value #STRIDE} longs.
     */
    public FleetMonitor withoutLeakDetection() {
        if (!detectLeaks) return this;
        detectLeaks = false;
        int meters = (state.length - pad) / stride;
        long[] small = new long[meters * STRIDE];
        for (int m = 0; m < meters; m++) System.arraycopy(state, base(m), small, m * STRIDE, STRIDE);
        state = small;
        stride = STRIDE;
        pad = 0;
        return this;
    }

    public MeterKeys keys() {
        return keys;
    }

    /** Sets the meter's class (index into the constructor's list); meters default to class 0. */
    public void assignClass(int slot, int classIndex) {
        if (classIndex < 0 || classIndex >= classes.length) throw new IllegalArgumentException("no class " + classIndex);
        ensure(slot);
        int i = base(slot) + CAP_CLASS;
        state[i] = (state[i] & CAP_MASK) | ((long) classIndex << 56);
    }

    public MeterClass classOf(int slot) {
        return classes[base(slot) < state.length ? classIndex(base(slot)) : 0];
    }

    /** Time (epoch ms) of the meter's last accepted register, or {@link Long#MIN_VALUE} if none. */
    public long lastTimeMs(int slot) {
        return base(slot) < state.length ? state[base(slot) + LAST_T] : UNSEEN;
    }

    public long lastVolumeL(int slot) {
        return base(slot) < state.length ? state[base(slot) + LAST_V] : 0;
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
        // The detectors' second line: loaded now, its miss overlaps the first line's instead of following it.
        if (detectLeaks) touched ^= state[b + STRIDE + 3];
        validate(slot, b, timeMs, volumeL, readingFlags, statusBits, receivedAtMs, classes[c], supplied);
        return advance(slot, b, timeMs, volumeL);
    }

    /**
     * Loads the meter's state block ahead of its reading. A caller with a batch (an MQTT batch, a
     * file) looks up the slots of, say, 16 readings, calls this for each, then calls
     * {@link #reading} for each: the cache misses of the 16 blocks then overlap instead of being
     * waited for one after another. Changes nothing.
     */
    public void prefetch(int slot) {
        int b = base(slot);
        if (b + SMALL_W < state.length) touched ^= state[b] ^ state[b + SMALL_W];
    }

    /** Judges each meter's last hour now (end of a replay). */
    public void flush() {
        if (!detectLeaks) return;
        for (int slot = 0; slot < keys.size(); slot++) {
            int b = base(slot);
            if (b < state.length) leaks.flush(state, b + STRIDE, slot, profiles[classIndex(b)], detectionSink);
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
        return state.length * 8L + keys.stateBytes();
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
        if (pad + (slot + 1L) * stride > state.length) grow(Math.max(slot + 1, (state.length - pad) / stride * 2));
    }

    private int base(int slot) {
        return pad + slot * stride;
    }

    private void grow(int meters) {
        if (pad + (long) meters * stride > Integer.MAX_VALUE - 8) throw new IllegalStateException("too many meters: " + meters);
        int old = Math.max(0, state.length - pad) / stride;
        state = java.util.Arrays.copyOf(state, pad + meters * stride);
        for (int m = old; m < meters; m++) {
            int b = base(m);
            state[b + LAST_T] = UNSEEN;
            if (detectLeaks) LeakDetector.clear(state, b + STRIDE);
        }
    }
}
