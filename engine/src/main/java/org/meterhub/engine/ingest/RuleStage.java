package org.meterhub.engine.ingest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.consumption.Arrival;
import org.meterhub.engine.consumption.ConsumptionCalculator;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.consumption.IntervalCorrection;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.consumption.IntervalSink;
import org.meterhub.engine.consumption.MeterKeys;
import org.meterhub.engine.evc.EvcCheck;
import org.meterhub.engine.evc.EvcMonitor;
import org.meterhub.engine.evc.EvcSample;
import org.meterhub.engine.leak.LateEpisodes;
import org.meterhub.engine.leak.LeakDetector;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.leak.LeakResponder;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreException;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.ValidationFlag;
import org.meterhub.engine.vee.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules the ingest writer thread applies to each reading: validation against the meter's
 * previous reading, consumption (late readings placed through {@link StoreReadingHistory} and
 * corrected by a new record), and the leak detectors on the resulting intervals. Findings are
 * collected per batch and written by {@link #publish()} once the batch's readings are committed,
 * so a flag or an alarm never points at a reading the store does not have.
 *
 * <p>Meter classes come from the store's meter records (medium, Qmax, accuracy class, IC-card
 * meters have a valve), else {@link IngestRules#defaultGas()}. Single-threaded: the writer owns it.
 */
final class RuleStage {
    private static final Logger log = LoggerFactory.getLogger(RuleStage.class);
    private static final long HOUR = 3_600_000L;

    /** A leak detection waiting for the batch commit. */
    private record Detection(String meterId, MeterClass meterClass, LeakDetector.Event event) {
    }

    /** A meter whose hours already judged by its leak detector changed in this batch (late readings): [fromMs, toMs). */
    private record LateSpan(String meterId, int slot, MeterClass meterClass, LeakProfile profile, long fromMs, long toMs) {
        LateSpan widen(long from, long to) {
            return new LateSpan(meterId, slot, meterClass, profile, Math.min(fromMs, from), Math.max(toMs, to));
        }
    }

    /** A validation flag waiting for the batch commit, with what an alarm needs. */
    private record Finding(ValidationFlag flag, MeterClass meterClass, Set<ReadingFlag> readingFlags) {
    }

    private final MeterStore store;
    private final IngestRules rules;
    private final MeterKeys keys = new MeterKeys();
    private final StoreReadingHistory history;
    private final ConsumptionCalculator calculator;
    private final Validator validator;
    private final LeakDetector leaks;
    /** The settings' switch ({@link IngestRules#leakDetection}): off, no hour reaches the detectors. */
    private final boolean detectLeaks;
    private final EvcMonitor converters;
    private final List<MeterClass> classes = new ArrayList<>();
    private final List<LeakProfile> profiles = new ArrayList<>();
    private final Map<MeterClass, Integer> classIndex = new HashMap<>();
    private final Function<String, Optional<ConsumptionCalculator.Baseline>> baselines;
    private byte[] classOf = new byte[1024]; // class index + 1; 0 = not looked up yet
    private Set<String> notSupplied;
    private String memoMeter;
    private Optional<ConsumptionCalculator.Baseline> memoBaseline;

    private final List<Finding> findings = new ArrayList<>();
    private final List<IntervalCorrection> corrections = new ArrayList<>();
    private final List<Detection> detections = new ArrayList<>();
    private final List<EvcSample> evcSamples = new ArrayList<>();
    /** Per batch only (cleared with it): nothing kept per meter. */
    private final Map<Integer, LateSpan> late = new HashMap<>();
    private final IngestPipeline.IngestStats stats;

    RuleStage(MeterStore store, ConsumptionSettings settings, IngestRules rules,
              Function<String, Optional<ConsumptionCalculator.Baseline>> baselines, IngestPipeline.IngestStats stats) {
        this.store = store;
        this.rules = rules;
        this.stats = stats;
        this.baselines = baselines;
        this.history = new StoreReadingHistory(store);
        // One store lookup per meter serves both the validator's first comparison and the calculator's seed.
        this.calculator = new ConsumptionCalculator(settings, this::baseline, history, keys, 1024);
        this.validator = new Validator(rules.vee(), 1024);
        this.leaks = new LeakDetector(rules.zone(), 1024);
        this.detectLeaks = rules.leakDetection();
        this.converters = new EvcMonitor(new EvcCheck(rules.evc()), rules.evcSamples()::lastBefore);
        classIndex(rules.defaultGas());
    }

    /** Applies the rules to one reading; the intervals it adds to the base series go to {@code out}. */
    Arrival process(Reading r, List<ConsumptionInterval> out) {
        if (r.source() == ReadingSource.ESTIMATED) {
            return Arrival.NOT_MEASURED; // estimates are their own records, never validated as meter data
        }
        // meters whose account is not supplied (vacant, sealed, ...): no stuck-register flag; read once, from the store
        if (notSupplied == null) notSupplied = store.meterIdsNotSupplied();
        int slot = keys.slotOf(r.meterId());
        int c = classOf(slot, r.meterId());
        MeterClass mc = classes.get(c);
        LeakProfile profile = profiles.get(c);
        long t = r.time().toEpochMilli();
        long prevT = calculator.lastTimeMs(slot);
        long prevL = calculator.lastVolumeL(slot);
        if (prevT == Validator.NONE) {
            Optional<ConsumptionCalculator.Baseline> b = baseline(r.meterId());
            if (b.isPresent() && b.get().time().toEpochMilli() < t) {
                prevT = b.get().time().toEpochMilli();
                prevL = b.get().volumeL();
            }
        }
        Instant now = rules.clock().instant();
        validator.check(slot, prevT, prevL, t, r.volumeL(), calculator.capacityL(slot), Validator.bits(r.flags()),
                r.statusBits(), r.receivedAt().toEpochMilli(), mc, !notSupplied.contains(r.meterId()),
                (s, time, kind, a, b) -> findings.add(new Finding(new ValidationFlag(r.meterId(), r.time(), kind,
                        Validator.reason(kind, a, b), now), mc, r.flags())));
        checkConversion(r, mc, now);
        ConsumptionCalculator.Outcome o = calculator.arrive(r);
        for (ConsumptionInterval i : o.intervals()) {
            out.add(i);
            if (!detectLeaks) continue;
            int bits = 0;
            for (IntervalFlag f : i.flags()) bits |= IntervalSink.bit(f);
            leaks.onInterval(slot, i.start().toEpochMilli(), i.end().toEpochMilli(), i.volumeL(), bits, profile,
                    (s, e) -> detections.add(new Detection(r.meterId(), mc, e)));
        }
        o.correction().ifPresent(fix -> {
            corrections.add(fix);
            lateHours(slot, r.meterId(), mc, profile, fix.from().toEpochMilli(), fix.to().toEpochMilli());
        });
        history.pending(r);
        return o.arrival();
    }

    /** A correction changed [fromMs, toMs): if the leak detector had passed any of those hours, they are judged again. */
    private void lateHours(int slot, String meterId, MeterClass mc, LeakProfile profile, long fromMs, long toMs) {
        if (!detectLeaks || rules.maxBackfill().isZero()) return;
        long cur = leaks.currentHourMs(slot);
        if (cur != Long.MIN_VALUE && Math.floorDiv(fromMs, HOUR) * HOUR >= cur) return; // the hour in progress: not judged yet
        late.merge(slot, new LateSpan(meterId, slot, mc, profile, fromMs, toMs), (a, b) -> a.widen(b.fromMs(), b.toMs()));
    }

    /**
     * Judges a meter's late hours in time order with the hours around them, from the store's effective consumption
     * (corrections included), and raises what the forward pass could not see ({@link LeakDetector#rejudge},
     * {@link LateEpisodes}). Bounded: hours more than max-backfill behind the meter's newest hour are not judged
     * again, and the replay starts max-backfill before the first late hour (enough for every detector's nights).
     */
    private void rejudge(LateSpan l) {
        long cur = leaks.currentHourMs(l.slot());
        long last = calculator.lastTimeMs(l.slot());
        if (cur == Long.MIN_VALUE && last == Validator.NONE) return;
        long end = cur != Long.MIN_VALUE ? cur : Math.floorDiv(last - 1, HOUR) * HOUR; // the hour in progress
        long backfill = rules.maxBackfill().toMillis();
        if (l.toMs() <= end - backfill) return; // too old: corrected, not judged again
        long firstLate = Math.max(Math.floorDiv(l.fromMs(), HOUR) * HOUR, end - backfill);
        Instant from = Instant.ofEpochMilli(firstLate - backfill);
        Instant to = Instant.ofEpochMilli(end + HOUR);
        List<ConsumptionInterval> hours = rules.corrections().effective(l.meterId(), from, to,
                () -> store.intervals(l.meterId(), from, to));
        List<LeakDetector.Event> replayed = new ArrayList<>();
        leaks.rejudge(l.slot(), l.profile(), hours, (s, e) -> replayed.add(e));
        stats.leakRejudgements.incrementAndGet();
        if (replayed.isEmpty()) return;
        for (LeakDetector.Event e : LateEpisodes.news(replayed, firstLate, rules.alarms().ofSubject(l.meterId()))) {
            rules.responder().onEvent(l.meterId(), l.meterClass(), e);
            if (e.phase() == LeakDetector.Phase.START) {
                stats.leakDetections.incrementAndGet();
                stats.lateLeakDetections.incrementAndGet();
            }
        }
    }

    /**
     * An electronic volume converter's reading: its sample is kept, and a window it completes is judged;
     * a failed one is a {@link FlagKind#CONVERSION_ERROR} flag on this reading (and so an alarm).
     */
    private void checkConversion(Reading r, MeterClass mc, Instant now) {
        if (r.converter() == null) {
            if (converters.tracks(r.meterId())) converters.interrupted(r.meterId());
            return;
        }
        EvcSample sample = EvcSample.of(r);
        evcSamples.add(sample);
        converters.onSample(sample).ifPresent(w -> {
            stats.conversionChecks.incrementAndGet();
            if (!w.conversionError()) return;
            stats.conversionErrors.incrementAndGet();
            findings.add(new Finding(new ValidationFlag(r.meterId(), r.time(), FlagKind.CONVERSION_ERROR,
                    w.describe(converters.settings()), now), mc, r.flags()));
        });
    }

    /**
     * Writes the batch's flags and corrections and raises its alarms; call after the batch's
     * readings are committed. A failure of the rule records is counted and logged, never stops
     * ingest: the readings (the measurement) are safe, and flags can be recomputed from them.
     */
    void publish() {
        try {
            if (!evcSamples.isEmpty()) rules.evcSamples().save(evcSamples);
            if (!findings.isEmpty()) {
                rules.flags().save(findings.stream().map(Finding::flag).toList());
                stats.flags.addAndGet(findings.size());
            }
            for (IntervalCorrection c : corrections) {
                rules.corrections().save(c);
                stats.corrections.incrementAndGet();
            }
            for (Finding f : findings) raise(f);
            for (Detection d : detections) {
                rules.responder().onEvent(d.meterId(), d.meterClass(), d.event());
                if (d.event().phase() == LeakDetector.Phase.START) stats.leakDetections.incrementAndGet();
            }
            for (LateSpan l : late.values()) rejudge(l); // after this batch's own detections: they count as seen
        } catch (StoreException e) {
            stats.ruleFailures.incrementAndGet();
            log.warn("rule records of a batch not written (its readings are stored): {}", e.getMessage());
        } finally {
            findings.clear();
            corrections.clear();
            detections.clear();
            evcSamples.clear();
            late.clear();
            history.committed();
        }
    }

    /** Drops what a batch that failed to commit had collected. */
    void discard() {
        findings.clear();
        corrections.clear();
        detections.clear();
        evcSamples.clear();
        late.clear();
        history.committed();
    }

    private void raise(Finding f) {
        ValidationFlag flag = f.flag();
        switch (flag.kind()) {
            case METER_FAULT -> {
                if (f.readingFlags().contains(ReadingFlag.VALVE_FAULT)) {
                    rules.responder().onMeterEvent(flag.meterId(), f.meterClass(), LeakResponder.MeterEvent.VALVE_FAULT,
                            flag.readingTime());
                } else {
                    rules.alarms().raise(AlarmKind.METER_FAULT, flag.meterId(), flag.reason(), OptionalLong.empty(),
                            flag.readingTime());
                }
            }
            case SPIKE, STUCK_REGISTER, UNIT_MISMATCH, REVERSE_FLOW -> rules.alarms().raise(AlarmKind.DATA_QUALITY,
                    flag.meterId(), flag.kind() + ": " + flag.reason(), OptionalLong.empty(), flag.readingTime());
            case CONVERSION_ERROR -> rules.alarms().raise(AlarmKind.CONVERSION_ERROR, flag.meterId(),
                    "volume conversion error: " + flag.reason(), OptionalLong.empty(), flag.readingTime());
            case CLOCK_SKEW -> { } // flagged only: the gateway already used its own clock for the reading's time
        }
    }

    private Optional<ConsumptionCalculator.Baseline> baseline(String meterId) {
        if (!meterId.equals(memoMeter)) {
            memoMeter = meterId;
            memoBaseline = baselines.apply(meterId);
        }
        return memoBaseline;
    }

    private int classOf(int slot, String meterId) {
        if (slot >= classOf.length) classOf = Arrays.copyOf(classOf, Math.max(slot + 1, classOf.length * 2));
        if (classOf[slot] == 0) {
            MeterClass mc = meterClass(profile(meterId));
            classOf[slot] = (byte) (classIndex(mc) + 1);
        }
        return classOf[slot] - 1;
    }

    /** Asked of every store, not only a TimeSeriesStore: the intake's FencedStore answers as the store it wraps. */
    private Optional<MeterProfile> profile(String meterId) {
        return store.profile(meterId);
    }

    /** The meter's class from its record; what the record does not say comes from the defaults. */
    MeterClass meterClass(Optional<MeterProfile> profile) {
        MeterClass gas = rules.defaultGas();
        if (profile.isEmpty()) return gas;
        MeterProfile p = profile.get();
        Medium medium = p.info().medium();
        String named = rules.leaks().classNamed(p.meterType());
        BigDecimal accuracy = accuracy(p.accuracyClass(), gas.accuracyPercent());
        boolean valve = "IC_CARD".equalsIgnoreCase(p.meterType());
        return switch (medium) {
            case GAS -> named == null && p.qmaxLph() == null && accuracy.equals(gas.accuracyPercent())
                    && valve == gas.valveEquipped() ? gas
                    : new MeterClass(named != null ? named : p.qmaxLph() == null ? gas.name() : "gas Qmax " + p.qmaxLph() + " L/h", Medium.GAS,
                    p.qmaxLph() == null ? gas.qmaxLph() : p.qmaxLph(), 0, accuracy, false, valve);
            case WATER -> {
                MeterClass w = MeterClass.householdWater();
                long qmax = p.qmaxLph() == null ? w.qmaxLph() : p.qmaxLph();
                // Q4 / Q3 = 1.25 for water meters (ISO 4064), so Q3 follows from the recorded maximum.
                yield new MeterClass(named != null ? named : p.qmaxLph() == null ? w.name() : "water Q4 " + qmax + " L/h", Medium.WATER, qmax,
                        qmax * 4 / 5, accuracy(p.accuracyClass(), w.accuracyPercent()), false, valve);
            }
            // Heating circuits flow all the time: no continuous-flow detector (Q3 0), bursts above Qmax only.
            case HEAT -> new MeterClass(named != null ? named : "heat Qmax " + (p.qmaxLph() == null ? 2_500 : p.qmaxLph()) + " L/h", Medium.HEAT,
                    p.qmaxLph() == null ? 2_500 : p.qmaxLph(), 0, accuracy, false, false);
        };
    }

    private static BigDecimal accuracy(String text, BigDecimal fallback) {
        if (text == null || text.isBlank()) return fallback;
        try {
            BigDecimal a = new BigDecimal(text.strip());
            return a.signum() > 0 ? a : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private int classIndex(MeterClass mc) {
        Integer i = classIndex.get(mc);
        if (i != null) return i;
        if (classes.size() >= 127) return 0; // beyond the table: the default class (a fleet has a handful)
        classes.add(mc);
        profiles.add(LeakProfile.of(mc, rules.leaks()));
        classIndex.put(mc, classes.size() - 1);
        return classes.size() - 1;
    }

    /** Bytes of per-meter state (consumption, validation, leak detection, class) as allocated. */
    long stateBytes() {
        return calculator.stateBytes() + validator.stateBytes() + leaks.stateBytes() + classOf.length;
    }

    int meters() {
        return keys.size();
    }
}
