package org.meterhub.engine.consumption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;

/**
 * Turns each meter's cumulative register readings into consumption intervals.
 *
 * <p>Single-threaded by design: one ingest thread owns it, so per-meter state needs no locks.
 * The state per meter is the last register value, its time (epoch ms) and the register
 * capacity, in parallel primitive arrays indexed by a {@link MeterKeys} slot: 24 bytes a meter
 * plus the key table, no object per meter. It is seeded on first sight of a meter from the
 * baseline function (last stored reading, else the commissioning base reading).
 *
 * <p>Consumption between two neighbouring readings depends on those two readings only
 * (difference, rollover at capacity, decrease flagged as zero, long gaps spread), so the
 * result is independent of arrival order: in-order readings extend the series, and a late
 * reading (with a {@link ReadingHistory}) produces an {@link IntervalCorrection} that replaces
 * the span between its neighbours. Times are kept to the millisecond, as the stores keep them.
 */
public final class ConsumptionCalculator {

    /** What the calculator needs to know about a meter it has not seen since start. */
    public record Baseline(Instant time, long volumeL, long registerCapacityL) {
    }

    /** What a reading did: how it arrived, intervals it extended the series by, any correction. */
    public record Outcome(Arrival arrival, List<ConsumptionInterval> intervals,
                          Optional<IntervalCorrection> correction) {
        public Outcome {
            intervals = List.copyOf(intervals);
        }
    }

    private static final long UNSEEN = Long.MIN_VALUE;
    private static final IntervalFlag[] FLAGS = IntervalFlag.values();

    private final ConsumptionSettings settings;
    private final Function<String, Optional<Baseline>> baselines;
    private final ReadingHistory history;
    private final MeterKeys keys;
    private final PrimitiveHourSplitter splitter = new PrimitiveHourSplitter();
    private final long spreadAfterMs;
    private long[] lastTimeMs;
    private long[] lastVolumeL;
    private long[] capacityL;
    private int tracked;
    /** Exchanged-out meters and when; rare, so a map. */
    private final Map<Integer, Long> retiredAtMs = new HashMap<>();
    private long lastSequence;

    public ConsumptionCalculator(ConsumptionSettings settings, Function<String, Optional<Baseline>> baselines) {
        this(settings, baselines, ReadingHistory.none(), new MeterKeys(), 1024);
    }

    /**
     * @param history        neighbours of late readings; {@link ReadingHistory#none()} leaves them uncorrected
     * @param keys           slot numbers shared with the other per-meter stages (validation, leak detection)
     * @param expectedMeters initial size of the state arrays (they grow by doubling)
     */
    public ConsumptionCalculator(ConsumptionSettings settings, Function<String, Optional<Baseline>> baselines,
                                 ReadingHistory history, MeterKeys keys, int expectedMeters) {
        this.settings = settings;
        this.baselines = baselines;
        this.history = history;
        this.keys = keys;
        this.spreadAfterMs = settings.spreadAfter().toMillis();
        int n = Math.max(16, expectedMeters);
        lastTimeMs = new long[n];
        lastVolumeL = new long[n];
        capacityL = new long[n];
        Arrays.fill(lastTimeMs, UNSEEN);
    }

    public static Optional<Baseline> baselineOf(MeterInfo meter) {
        return Optional.of(new Baseline(meter.baseTime(), meter.baseReadingL(), meter.registerCapacityL()));
    }

    public MeterKeys keys() {
        return keys;
    }

    /**
     * Consumption since the meter's previous reading. A reading at or before the last one
     * yields nothing here; {@link #arrive(Reading)} also places late readings.
     */
    public List<ConsumptionInterval> accept(Reading reading) {
        return arrive(reading).intervals();
    }

    /** Everything a reading does to the series, including the correction a late reading makes. */
    public Outcome arrive(Reading reading) {
        if (reading.source() == ReadingSource.ESTIMATED) {
            return new Outcome(Arrival.NOT_MEASURED, List.of(), Optional.empty());
        }
        int slot = keys.slotOf(reading.meterId());
        long t = reading.time().toEpochMilli();
        ensure(slot);
        if (lastTimeMs[slot] != UNSEEN && t < lastTimeMs[slot]) {
            return late(slot, reading);
        }
        List<ConsumptionInterval> out = new ArrayList<>(2);
        int code = advance(slot, t, reading.volumeL(), (s, a, b, v, f) ->
                out.add(new ConsumptionInterval(reading.meterId(), Instant.ofEpochMilli(a), Instant.ofEpochMilli(b),
                        v, flagSet(f))));
        return new Outcome(Arrival.values()[code], out, Optional.empty());
    }

    /**
     * The streaming path: one reading of the meter in {@code slot}, intervals to {@code sink}.
     * Returns the {@link Arrival} ordinal. A late reading here is reported
     * {@link Arrival#LATE_UNCORRECTED}; callers with late data use {@link #arrive(Reading)}.
     */
    public int advance(int slot, long timeMs, long volumeL, IntervalSink sink) {
        ensure(slot);
        if (lastTimeMs[slot] == UNSEEN && !seed(slot, timeMs, volumeL)) {
            return Arrival.FIRST.ordinal();
        }
        Long retired = retiredAtMs.isEmpty() ? null : retiredAtMs.get(slot);
        if (retired != null && timeMs > retired) return Arrival.AFTER_EXCHANGE.ordinal();
        long prevT = lastTimeMs[slot];
        if (timeMs == prevT) return Arrival.DUPLICATE.ordinal();
        if (timeMs < prevT) return Arrival.LATE_UNCORRECTED.ordinal();
        emit(slot, prevT, lastVolumeL[slot], timeMs, volumeL, capacityL[slot], 0, sink);
        lastTimeMs[slot] = timeMs;
        lastVolumeL[slot] = volumeL;
        return Arrival.IN_ORDER.ordinal();
    }

    /** Counts the old meter up to its final register and starts the new one at its first. */
    public List<ConsumptionInterval> exchange(MeterExchange ex) {
        int oldSlot = keys.slotOf(ex.oldMeterId());
        ensure(oldSlot);
        long t = ex.time().toEpochMilli();
        List<ConsumptionInterval> out = new ArrayList<>();
        if (lastTimeMs[oldSlot] != UNSEEN || seed(oldSlot, t, ex.oldFinalL())) {
            if (t > lastTimeMs[oldSlot]) {
                emit(oldSlot, lastTimeMs[oldSlot], lastVolumeL[oldSlot], t, ex.oldFinalL(), capacityL[oldSlot],
                        0, (s, a, b, v, f) -> out.add(
                                new ConsumptionInterval(ex.oldMeterId(), Instant.ofEpochMilli(a),
                                        Instant.ofEpochMilli(b), v, flagSet(f))));
                lastTimeMs[oldSlot] = t;
                lastVolumeL[oldSlot] = ex.oldFinalL();
            }
        }
        retiredAtMs.put(oldSlot, t);
        int newSlot = keys.slotOf(ex.newMeterId());
        ensure(newSlot);
        if (lastTimeMs[newSlot] == UNSEEN || lastTimeMs[newSlot] < t) {
            if (lastTimeMs[newSlot] == UNSEEN) tracked++;
            lastTimeMs[newSlot] = t;
            lastVolumeL[newSlot] = ex.newFirstL();
            capacityL[newSlot] = ex.newCapacityL();
        }
        return out;
    }

    /** Time (epoch ms) of the meter's last accepted register, or {@link Long#MIN_VALUE} if none. */
    public long lastTimeMs(int slot) {
        return slot < lastTimeMs.length ? lastTimeMs[slot] : UNSEEN;
    }

    public long lastVolumeL(int slot) {
        return slot < lastVolumeL.length ? lastVolumeL[slot] : 0;
    }

    public long capacityL(int slot) {
        return slot < capacityL.length && capacityL[slot] > 0 ? capacityL[slot] : MeterInfo.CJT188_CAPACITY_L;
    }

    public int trackedMeters() {
        return tracked;
    }

    /** Bytes of per-meter state held by this calculator (arrays as allocated, key table included). */
    public long stateBytes() {
        return lastTimeMs.length * 24L + keys.stateBytes();
    }

    private Outcome late(int slot, Reading r) {
        String meter = r.meterId();
        Instant t = r.time();
        if (history.contains(meter, t)) return new Outcome(Arrival.DUPLICATE, List.of(), Optional.empty());
        Optional<Reading> next = history.earliestAfter(meter, t);
        if (next.isEmpty()) return new Outcome(Arrival.LATE_UNCORRECTED, List.of(), Optional.empty());
        Long retired = retiredAtMs.get(slot);
        if (retired != null && t.toEpochMilli() > retired) {
            return new Outcome(Arrival.AFTER_EXCHANGE, List.of(), Optional.empty());
        }
        Optional<Reading> prev = history.latestBefore(meter, t);
        long prevT = UNSEEN;
        long prevV = 0;
        if (prev.isPresent()) {
            prevT = prev.get().time().toEpochMilli();
            prevV = prev.get().volumeL();
        }
        Optional<Baseline> base = baselines.apply(meter);
        if (base.isPresent()) {
            long bt = base.get().time().toEpochMilli();
            if (bt >= t.toEpochMilli() && prev.isEmpty()) {
                return new Outcome(Arrival.BEFORE_BASELINE, List.of(), Optional.empty());
            }
            if (bt < t.toEpochMilli() && (prevT == UNSEEN || prevT < bt)) {
                prevT = bt;
                prevV = base.get().volumeL();
            }
        }
        long cap = capacityL[slot];
        int corrected = 0; // the correction record, not a flag, says these intervals replace others
        List<ConsumptionInterval> replacement = new ArrayList<>();
        IntervalSink collect = (s, a, b, v, f) -> replacement.add(new ConsumptionInterval(meter,
                Instant.ofEpochMilli(a), Instant.ofEpochMilli(b), v, flagSet(f)));
        long tMs = t.toEpochMilli();
        long nextT = next.get().time().toEpochMilli();
        if (prevT != UNSEEN) emit(slot, prevT, prevV, tMs, r.volumeL(), cap, corrected, collect);
        emit(slot, tMs, r.volumeL(), nextT, next.get().volumeL(), cap, corrected, collect);
        long seq = Math.max(lastSequence + 1, System.currentTimeMillis() * 1000);
        lastSequence = seq;
        IntervalCorrection c = new IntervalCorrection(seq, meter, Instant.ofEpochMilli(prevT == UNSEEN ? tMs : prevT),
                Instant.ofEpochMilli(nextT), replacement, "late reading " + t + " (" + r.source() + ")",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)); // as the stores keep times
        return new Outcome(Arrival.LATE_CORRECTED, List.of(), Optional.of(c));
    }

    /** Seeds a meter on first sight; false when the reading itself is the first point. */
    private boolean seed(int slot, long timeMs, long volumeL) {
        tracked++;
        Optional<Baseline> base = baselines.apply(keys.idOf(slot));
        if (base.isEmpty() || base.get().time().toEpochMilli() >= timeMs) {
            lastTimeMs[slot] = timeMs;
            lastVolumeL[slot] = volumeL;
            capacityL[slot] = base.map(Baseline::registerCapacityL).orElse(MeterInfo.CJT188_CAPACITY_L);
            return false;
        }
        lastTimeMs[slot] = base.get().time().toEpochMilli();
        lastVolumeL[slot] = base.get().volumeL();
        capacityL[slot] = base.get().registerCapacityL();
        return true;
    }

    private void emit(int slot, long fromMs, long fromL, long toMs, long toL, long cap, int extraFlags,
                      IntervalSink sink) {
        int flags = extraFlags;
        long delta = toL - fromL;
        if (delta < 0) {
            // A wrap is only plausible from near the top of the register; anything else went backwards.
            if (fromL > cap / 10 * 9 && toL < cap / 10) {
                delta = cap - fromL + toL;
                flags |= IntervalSink.bit(IntervalFlag.ROLLOVER);
            } else {
                delta = 0;
                flags |= IntervalSink.bit(IntervalFlag.REGISTER_DECREASE);
            }
        }
        if (toMs - fromMs > spreadAfterMs) flags |= IntervalSink.bit(IntervalFlag.SPREAD);
        splitter.split(slot, fromMs, toMs, delta, flags, sink);
    }

    private void ensure(int slot) {
        if (slot < lastTimeMs.length) return;
        int n = Math.max(slot + 1, lastTimeMs.length * 2);
        int old = lastTimeMs.length;
        lastTimeMs = Arrays.copyOf(lastTimeMs, n);
        Arrays.fill(lastTimeMs, old, n, UNSEEN);
        lastVolumeL = Arrays.copyOf(lastVolumeL, n);
        capacityL = Arrays.copyOf(capacityL, n);
    }

    static EnumSet<IntervalFlag> flagSet(int bits) {
        EnumSet<IntervalFlag> s = EnumSet.noneOf(IntervalFlag.class);
        for (IntervalFlag f : FLAGS) {
            if ((bits & (1 << f.ordinal())) != 0) s.add(f);
        }
        return s;
    }
}
