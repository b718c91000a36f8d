package org.meterhub.engine.leak;

import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.meterhub.engine.consumption.ConsumptionCalculator;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.consumption.MeterKeys;
import org.meterhub.engine.consumption.ReadingHistory;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.Validator;
import org.meterhub.engine.vee.VeeSettings;

/**
 * The streaming engine for a fleet: each reading is validated against the meter's previous
 * one, turned into consumption intervals, and the intervals run through the leak detectors.
 * All per-meter state lives in primitive arrays indexed by one shared {@link MeterKeys} slot
 * (see {@link #stateBytesPerMeter()}). Findings go to the sinks given at construction; what to
 * do with them (store flags, raise alarms) is the caller's business. Single-threaded.
 */
public final class FleetMonitor {
    private final MeterKeys keys;
    private final ConsumptionCalculator calculator;
    private final Validator validator;
    private final LeakDetector leaks;
    private final MeterClass[] classes;
    private final LeakProfile[] profiles;
    private final Validator.FlagSink flagSink;
    private final LeakDetector.DetectionSink detectionSink;
    private final IntervalSink intervalSink;
    private final IntervalSink downstream;
    private byte[] classOf;
    private LeakProfile current;
    private long readings;
    private long intervals;

    /**
     * @param classes    the meter classes in use; a meter's class is an index into this list (at most 127)
     * @param downstream also receives every interval (e.g. to store it); may be a no-op
     */
    public FleetMonitor(List<MeterClass> classes, LeakProfile.Settings leakSettings, VeeSettings veeSettings,
                        ZoneId zone, int expectedMeters, Function<String, Optional<ConsumptionCalculator.Baseline>> baselines,
                        Validator.FlagSink flagSink, LeakDetector.DetectionSink detectionSink, IntervalSink downstream) {
        if (classes.isEmpty() || classes.size() > 127) throw new IllegalArgumentException("1 to 127 meter classes");
        this.keys = new MeterKeys(expectedMeters);
        this.calculator = new ConsumptionCalculator(ConsumptionSettings.defaults(), baselines, ReadingHistory.none(), keys,
                expectedMeters);
        this.validator = new Validator(veeSettings, expectedMeters);
        this.leaks = new LeakDetector(zone, expectedMeters);
        this.classes = classes.toArray(new MeterClass[0]);
        this.profiles = classes.stream().map(c -> LeakProfile.of(c, leakSettings)).toArray(LeakProfile[]::new);
        this.classOf = new byte[Math.max(16, expectedMeters)];
        this.flagSink = flagSink;
        this.detectionSink = detectionSink;
        this.downstream = downstream;
        this.intervalSink = (slot, a, b, v, f) -> {
            intervals++;
            downstream.interval(slot, a, b, v, f);
            leaks.onInterval(slot, a, b, v, f, current, detectionSink);
        };
    }

    public MeterKeys keys() {
        return keys;
    }

    public ConsumptionCalculator calculator() {
        return calculator;
    }

    /** Sets the meter's class (index into the constructor's list); meters default to class 0. */
    public void assignClass(int slot, int classIndex) {
        if (classIndex < 0 || classIndex >= classes.length) throw new IllegalArgumentException("no class " + classIndex);
        if (slot >= classOf.length) classOf = Arrays.copyOf(classOf, Math.max(slot + 1, classOf.length * 2));
        classOf[slot] = (byte) classIndex;
    }

    public MeterClass classOf(int slot) {
        return classes[slot < classOf.length ? classOf[slot] : 0];
    }

    /**
     * One reading of the meter in {@code slot}.
     *
     * @param readingFlags bits of {@link org.meterhub.engine.reading.ReadingFlag} ordinals ({@link Validator#bit})
     * @return the {@link org.meterhub.engine.consumption.Arrival} ordinal
     */
    public int reading(int slot, long timeMs, long receivedAtMs, long volumeL, int readingFlags, int statusBits,
                       boolean supplied) {
        readings++;
        int c = slot < classOf.length ? classOf[slot] : 0;
        current = profiles[c];
        long prevT = calculator.lastTimeMs(slot);
        validator.check(slot, prevT, calculator.lastVolumeL(slot), timeMs, volumeL, calculator.capacityL(slot),
                readingFlags, statusBits, receivedAtMs, classes[c], supplied, flagSink);
        return calculator.advance(slot, timeMs, volumeL, intervalSink);
    }

    public long readings() {
        return readings;
    }

    public long intervals() {
        return intervals;
    }

    /** Bytes of per-meter state (all arrays as allocated, key table included) divided by meters tracked. */
    public double stateBytesPerMeter() {
        long total = calculator.stateBytes() + validator.stateBytes() + leaks.stateBytes() + classOf.length;
        return keys.size() == 0 ? 0 : (double) total / keys.size();
    }

    public long stateBytes() {
        return calculator.stateBytes() + validator.stateBytes() + leaks.stateBytes() + classOf.length;
    }
}
