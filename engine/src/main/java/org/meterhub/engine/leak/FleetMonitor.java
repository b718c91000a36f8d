package org.meterhub.engine.leak;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
 * {@link LeakDetector} (a test feeds both the same readings and compares every event), but all
 * per-meter state lives in one block of {@value #STRIDE} longs (72 bytes) of a single array, so a
 * reading of a random meter touches the two adjacent cache lines of its block and one line of the
 * key table, instead of one line per state array (about fifteen). Layout of a block:
 * <pre>
 *  0 last register time (epoch ms)      1 last register (L)
 *  2 register capacity (L, low 56 bits) | meter class (top byte)
 *  3 time of the last increase (ms)     4 start of the flow above the burst threshold (ms; 0 none)
 *  5 current hour | its litres          6 hours in a row with flow | night minimum (L/h)
 *  7 last flowing night (day) | the day's peak hour (L)
 *  8 baseline peak (L) | night hours seen, flowing nights, baseline days, state bits (a byte each)
 * </pre>
 * Meter exchanges and late readings are the live path's business ({@link ConsumptionCalculator#arrive}).
 */
public final class FleetMonitor {
    /** Longs of state per meter. */
    public static final int STRIDE = 9;

    private static final int LAST_T = 0;
    private static final int LAST_V = 1;
    private static final int CAP_CLASS = 2;
    private static final int LAST_INC = 3;
    private static final int BURST = 4;
    private static final int HOUR_W = 5;
    private static final int RUN_W = 6;
    private static final int NIGHT_W = 7;
    private static final int SMALL_W = 8;
    private static final int SHIFT_BITS = 0;
    private static final int SHIFT_BASE_DAYS = 8;
    private static final int SHIFT_NIGHT_COUNT = 16;
    private static final int SHIFT_NIGHT_HOURS = 24;
    private static final long CAP_MASK = (1L << 56) - 1;

    private static final long UNSEEN = Long.MIN_VALUE;
    private static final int NONE = Integer.MIN_VALUE;
    private static final long HOUR = 3_600_000L;
    private static final int SPREAD = IntervalSink.bit(IntervalFlag.SPREAD);
    private static final int ROLLOVER = IntervalSink.bit(IntervalFlag.ROLLOVER);
    private static final int DECREASE = IntervalSink.bit(IntervalFlag.REGISTER_DECREASE);
    private static final int FAULT_BITS = Validator.bit(ReadingFlag.VALVE_FAULT) | Validator.bit(ReadingFlag.LOW_BATTERY);
    private static final int CLOCK_BITS = Validator.bit(ReadingFlag.CLOCK_SKEW) | Validator.bit(ReadingFlag.CLOCK_INVALID);
    // state bits: leak detector (as in LeakDetector), then validator
    private static final int HOUR_UNKNOWN = 1;
    private static final int NIGHT_BROKEN = 2;
    private static final int ACTIVE_CONTINUOUS = 4;
    private static final int ACTIVE_NIGHT = 8;
    private static final int ACTIVE_BURST = 16;
    private static final int USED_BEFORE = 32;
    private static final int STUCK_FLAGGED = 64;
    private static final int VEE_BITS = USED_BEFORE | STUCK_FLAGGED;

    private final MeterKeys keys;
    private final Function<String, Optional<ConsumptionCalculator.Baseline>> baselines;
    private final MeterClass[] classes;
    private final LeakProfile[] profiles;
    private final Validator.FlagSink flagSink;
    private final LeakDetector.DetectionSink detectionSink;
    private final IntervalSink intervalSink;
    private final PrimitiveHourSplitter splitter = new PrimitiveHourSplitter();
    private final long spreadAfterMs;
    private final long stuckAfterMs;
    private final long maxSkewMs;
    private final long unitTolerance;
    private final long offsetMs;
    private long[] state;
    private LeakProfile current;
    private long readings;
    private long intervals;
    private long touched; // keeps prefetch loads from being optimised away
    private int tracked;

    /**
     * @param classes    the meter classes in use; a meter's class is an index into this list (at most 127)
     * @param downstream also receives every interval (e.g. to store it); may be a no-op
     */
    public FleetMonitor(List<MeterClass> classes, LeakProfile.Settings leakSettings, VeeSettings veeSettings,
                        ZoneId zone, int expectedMeters, Function<String, Optional<ConsumptionCalculator.Baseline>> baselines,
                        Validator.FlagSink flagSink, LeakDetector.DetectionSink detectionSink, IntervalSink downstream) {
        if (classes.isEmpty() || classes.size() > 127) throw new IllegalArgumentException("1 to 127 meter classes");
        Instant now = Instant.now();
        if (zone.getRules().nextTransition(now) != null) {
            throw new IllegalArgumentException("the night window needs a zone without daylight saving, got " + zone);
        }
        ZoneOffset offset = zone.getRules().getOffset(now);
        this.offsetMs = offset.getTotalSeconds() * 1000L;
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
            onInterval(slot, a, b, v, f, current);
        };
    }

    public MeterKeys keys() {
        return keys;
    }

    /** Sets the meter's class (index into the constructor's list); meters default to class 0. */
    public void assignClass(int slot, int classIndex) {
        if (classIndex < 0 || classIndex >= classes.length) throw new IllegalArgumentException("no class " + classIndex);
        ensure(slot);
        int i = slot * STRIDE + CAP_CLASS;
        state[i] = (state[i] & CAP_MASK) | ((long) classIndex << 56);
    }

    public MeterClass classOf(int slot) {
        return classes[slot * STRIDE < state.length ? classIndex(slot * STRIDE) : 0];
    }

    /** Time (epoch ms) of the meter's last accepted register, or {@link Long#MIN_VALUE} if none. */
    public long lastTimeMs(int slot) {
        return slot * STRIDE < state.length ? state[slot * STRIDE + LAST_T] : UNSEEN;
    }

    public long lastVolumeL(int slot) {
        return slot * STRIDE < state.length ? state[slot * STRIDE + LAST_V] : 0;
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
        int b = slot * STRIDE;
        int c = classIndex(b);
        current = profiles[c];
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
        int b = slot * STRIDE;
        if (b + SMALL_W < state.length) touched ^= state[b] ^ state[b + SMALL_W];
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

    // ---- leak detection (the rules of LeakDetector) ----

    private void onInterval(int slot, long startMs, long endMs, long volumeL, int flags, LeakProfile p) {
        int b = slot * STRIDE;
        int hour = (int) Math.floorDiv(startMs, HOUR);
        int cur = hi(state[b + HOUR_W]);
        if (cur == NONE || hour > cur) {
            if (cur != NONE) completeHour(slot, b, cur, p);
            state[b + HOUR_W] = pack(hour, 0);
            setSmallByte(b, SHIFT_BITS, smallByte(b, SHIFT_BITS) & ~HOUR_UNKNOWN);
        } else if (hour < cur) {
            return; // a corrected past hour: detectors look forward only
        }
        if ((flags & SPREAD) != 0) {
            setSmallByte(b, SHIFT_BITS, smallByte(b, SHIFT_BITS) | HOUR_UNKNOWN);
            state[b + BURST] = 0;
            return;
        }
        long w = state[b + HOUR_W];
        state[b + HOUR_W] = pack(hi(w), (int) Math.min(Integer.MAX_VALUE, lo(w) + volumeL));
        burst(slot, b, startMs, endMs, volumeL, p);
    }

    private void burst(int slot, int b, long startMs, long endMs, long volumeL, LeakProfile p) {
        long rate = volumeL * HOUR / (endMs - startMs);
        long threshold = p.burstQmaxLph();
        if (smallByte(b, SHIFT_BASE_DAYS) >= p.baselineDays()) {
            threshold = Math.min(threshold, (long) hi(state[b + SMALL_W]) * p.burstFactor());
        }
        int bits = smallByte(b, SHIFT_BITS);
        if (rate <= threshold) {
            state[b + BURST] = 0;
            setSmallByte(b, SHIFT_BITS, bits & ~ACTIVE_BURST);
            return;
        }
        if (state[b + BURST] == 0) state[b + BURST] = startMs;
        if (endMs - state[b + BURST] >= p.burstMinutes() * 60_000L && (bits & ACTIVE_BURST) == 0) {
            setSmallByte(b, SHIFT_BITS, bits | ACTIVE_BURST);
            detectionSink.detected(slot, LeakKind.BURST, endMs, state[b + BURST], rate);
        }
    }

    private void completeHour(int slot, int b, int hour, LeakProfile p) {
        int bits = smallByte(b, SHIFT_BITS);
        boolean unknown = (bits & HOUR_UNKNOWN) != 0;
        int v = lo(state[b + HOUR_W]);
        long endMs = (hour + 1L) * HOUR;
        if (p.continuousMinLph() > 0) {
            int run = hi(state[b + RUN_W]);
            if (!unknown && v >= p.continuousMinLph()) {
                run++;
                state[b + RUN_W] = pack(run, lo(state[b + RUN_W]));
                if (run >= p.continuousHours() && (bits & ACTIVE_CONTINUOUS) == 0) {
                    bits |= ACTIVE_CONTINUOUS;
                    setSmallByte(b, SHIFT_BITS, bits);
                    detectionSink.detected(slot, LeakKind.CONTINUOUS_FLOW, endMs, endMs - run * HOUR, v);
                }
            } else {
                state[b + RUN_W] = pack(0, lo(state[b + RUN_W]));
                bits &= ~ACTIVE_CONTINUOUS;
                setSmallByte(b, SHIFT_BITS, bits);
            }
        }
        long local = hour * HOUR + offsetMs;
        int localDay = (int) Math.floorDiv(local, 86_400_000L);
        int localHour = (int) (Math.floorMod(local, 86_400_000L) / HOUR);
        if (!unknown && v > lo(state[b + NIGHT_W])) state[b + NIGHT_W] = pack(hi(state[b + NIGHT_W]), v);
        if (localHour == 23) { // the day's peak hour feeds the baseline
            int peak = lo(state[b + NIGHT_W]);
            int days = smallByte(b, SHIFT_BASE_DAYS);
            int baseline = hi(state[b + SMALL_W]);
            baseline = days == 0 ? peak : baseline + (peak - baseline) / 8;
            state[b + SMALL_W] = pack(baseline, lo(state[b + SMALL_W]));
            if (days < 100) setSmallByte(b, SHIFT_BASE_DAYS, days + 1);
            state[b + NIGHT_W] = pack(hi(state[b + NIGHT_W]), 0);
        }
        if (p.nightMinLph() > 0 && localHour >= p.nightStartHour() && localHour < p.nightEndHour()) {
            int nightHours = smallByte(b, SHIFT_NIGHT_HOURS);
            int nightMin = lo(state[b + RUN_W]);
            bits = smallByte(b, SHIFT_BITS);
            if (localHour == p.nightStartHour() || nightHours == 0) {
                nightMin = Integer.MAX_VALUE;
                nightHours = 0;
                bits &= ~NIGHT_BROKEN;
            }
            if (unknown) bits |= NIGHT_BROKEN;
            nightMin = Math.min(nightMin, v);
            nightHours++;
            if (localHour == p.nightEndHour() - 1) {
                boolean whole = nightHours == p.nightEndHour() - p.nightStartHour() && (bits & NIGHT_BROKEN) == 0;
                if (whole && nightMin >= p.nightMinLph()) {
                    int lastNight = hi(state[b + NIGHT_W]);
                    int count = lastNight == localDay - 1 ? Math.min(100, smallByte(b, SHIFT_NIGHT_COUNT) + 1) : 1;
                    setSmallByte(b, SHIFT_NIGHT_COUNT, count);
                    state[b + NIGHT_W] = pack(localDay, lo(state[b + NIGHT_W]));
                    if (count >= p.nights() && (bits & ACTIVE_NIGHT) == 0) {
                        bits |= ACTIVE_NIGHT;
                        long since = (long) (localDay - p.nights() + 1) * 86_400_000L + p.nightStartHour() * HOUR - offsetMs;
                        setSmallByte(b, SHIFT_BITS, bits);
                        state[b + RUN_W] = pack(hi(state[b + RUN_W]), nightMin);
                        setSmallByte(b, SHIFT_NIGHT_HOURS, 0);
                        detectionSink.detected(slot, LeakKind.NIGHT_FLOW, endMs, since, nightMin);
                        return;
                    }
                } else {
                    setSmallByte(b, SHIFT_NIGHT_COUNT, 0);
                    bits &= ~ACTIVE_NIGHT;
                }
                nightHours = 0;
            }
            setSmallByte(b, SHIFT_BITS, bits);
            setSmallByte(b, SHIFT_NIGHT_HOURS, nightHours);
            state[b + RUN_W] = pack(hi(state[b + RUN_W]), nightMin);
        }
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

    private static long pack(int hi, int lo) {
        return ((long) hi << 32) | (lo & 0xFFFF_FFFFL);
    }

    private static int hi(long w) {
        return (int) (w >> 32);
    }

    private static int lo(long w) {
        return (int) w;
    }

    private void ensure(int slot) {
        if ((slot + 1L) * STRIDE > state.length) grow(Math.max(slot + 1, state.length / STRIDE * 2));
    }

    private void grow(int meters) {
        if ((long) meters * STRIDE > Integer.MAX_VALUE - 8) throw new IllegalStateException("too many meters: " + meters);
        int old = state.length / STRIDE;
        state = java.util.Arrays.copyOf(state, meters * STRIDE);
        for (int m = old; m < meters; m++) {
            int b = m * STRIDE;
            state[b + LAST_T] = UNSEEN;
            state[b + HOUR_W] = pack(NONE, 0);
            state[b + NIGHT_W] = pack(NONE, 0);
        }
    }
}
