package org.meterhub.engine.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.meterhub.engine.consumption.Arrival;
import org.meterhub.engine.consumption.ConsumptionCalculator;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.store.MeterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's front door: readings go in, consumption and readings come out in the store.
 *
 * <p>One writer thread owns the per-meter state and the store's write side. The queue in front
 * of it is bounded, so a store that falls behind slows the producers down (back-pressure) instead
 * of filling the heap.
 *
 * <p>Each reading also runs through the engine's rules ({@link IngestRules}): validation flags,
 * late readings placed and corrected by a new record, leak detection, and alarms through the
 * alarm lifecycle. Those records are written after the batch's readings are committed.
 */
public final class IngestPipeline implements ReadingSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);

    private final MeterStore store;
    private final BlockingQueue<Object> queue;
    private final RuleStage rules;
    private final IngestRules ruleSet;
    private final int batchSize;
    private final Duration maxBatchDelay;
    private final Thread writer;
    private final IngestStats stats;
    private final boolean ownsRules;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean closing;

    /** A pipeline whose rule records (flags, corrections, alarms) are kept in memory. */
    public IngestPipeline(MeterStore store, ConsumptionSettings settings, int queueCapacity, int batchSize,
                          Duration maxBatchDelay) {
        this(store, settings, IngestRules.inMemory(org.meterhub.engine.alarm.AlarmSink.none()), queueCapacity, batchSize,
                maxBatchDelay);
    }

    /** @param rules closed with this pipeline */
    public IngestPipeline(MeterStore store, ConsumptionSettings settings, IngestRules rules, int queueCapacity,
                          int batchSize, Duration maxBatchDelay) {
        this(store, settings, rules, true, new IngestStats(), queueCapacity, batchSize, maxBatchDelay);
    }

    private IngestPipeline(MeterStore store, ConsumptionSettings settings, IngestRules rules, boolean ownsRules,
                           IngestStats stats, int queueCapacity, int batchSize, Duration maxBatchDelay) {
        this.store = store;
        this.stats = stats;
        this.ownsRules = ownsRules;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.batchSize = batchSize;
        this.maxBatchDelay = maxBatchDelay;
        this.ruleSet = rules;
        this.rules = new RuleStage(store, settings, rules, this::baseline, stats);
        this.writer = new Thread(this::run, "engine-ingest");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Default sizes; rule records in memory. */
    public static IngestPipeline withDefaults(MeterStore store) {
        return new IngestPipeline(store, ConsumptionSettings.defaults(), 65_536, 2_000, Duration.ofMillis(200));
    }

    /** Default sizes; the given rules (e.g. {@link IngestRules#forStore}, records in the store's database). */
    public static IngestPipeline withRules(MeterStore store, IngestRules rules) {
        return new IngestPipeline(store, ConsumptionSettings.defaults(), rules, 65_536, 2_000, Duration.ofMillis(200));
    }

    /**
     * Default sizes; counts into {@code stats} and leaves {@code rules} open when closed: for the
     * pipelines a {@link org.meterhub.engine.intake.BatchCommitter} makes one after another (a new one
     * after each store failure), whose counters a status line reads as one.
     */
    public static IngestPipeline sharing(MeterStore store, IngestRules rules, IngestStats stats) {
        return new IngestPipeline(store, ConsumptionSettings.defaults(), rules, false, stats, 65_536, 2_000,
                Duration.ofMillis(200));
    }

    /**
     * Given sizes; counts into {@code stats} and leaves {@code rules} open when closed: for an import
     * that makes a fresh pipeline after each store failure ({@code engine.importing.ReadingsImport}).
     */
    public static IngestPipeline sharing(MeterStore store, IngestRules rules, IngestStats stats, int queueCapacity,
                                         int batchSize, Duration maxBatchDelay) {
        return new IngestPipeline(store, ConsumptionSettings.defaults(), rules, false, stats, queueCapacity, batchSize,
                maxBatchDelay);
    }

    /** Alarms, flags and corrections of this pipeline. */
    public IngestRules rules() {
        return ruleSet;
    }

    private Optional<ConsumptionCalculator.Baseline> baseline(String meterId) {
        Optional<Reading> last = store.lastReading(meterId);
        if (last.isPresent()) {
            long capacity = store.meter(meterId).map(m -> m.registerCapacityL())
                    .orElse(org.meterhub.engine.meter.MeterInfo.CJT188_CAPACITY_L);
            return Optional.of(new ConsumptionCalculator.Baseline(last.get().time(), last.get().volumeL(), capacity));
        }
        return store.meter(meterId).flatMap(ConsumptionCalculator::baselineOf);
    }

    /** Blocks while the queue is full: that is the back-pressure. */
    @Override
    public void accept(Reading reading) {
        if (closing) throw new IllegalStateException("ingest pipeline is closed");
        rethrowFailure();
        try {
            put(reading);
            stats.accepted.incrementAndGet();
            org.meterhub.engine.metrics.EngineMetrics.READINGS_RECEIVED.inc();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing a reading", e);
        }
    }

    /** Returns once everything accepted before the call is committed to the store. */
    public void flush() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        put(done);
        while (!done.await(100, TimeUnit.MILLISECONDS)) {
            rethrowFailure();
            if (!writer.isAlive()) throw new IllegalStateException("ingest writer stopped");
        }
        rethrowFailure();
    }

    public IngestStats stats() {
        return stats;
    }

    /**
     * Waits for room in the queue, but not for ever: a writer that stopped on a failed store write
     * drains nothing, and a producer blocked on a full queue would never learn of the failure.
     */
    private void put(Object item) throws InterruptedException {
        while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
            rethrowFailure();
            if (!writer.isAlive()) throw new IllegalStateException("ingest writer stopped");
        }
    }

    private void rethrowFailure() {
        RuntimeException f = failure.get();
        if (f != null) throw new IllegalStateException("store write failed: " + f.getMessage(), f);
    }

    private void run() {
        List<Reading> readings = new ArrayList<>(batchSize);
        List<ConsumptionInterval> intervals = new ArrayList<>(batchSize * 2);
        List<CountDownLatch> waiting = new ArrayList<>();
        try {
            while (!(closing && queue.isEmpty())) {
                Object first = queue.poll(maxBatchDelay.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) continue;
                long deadline = System.nanoTime() + maxBatchDelay.toNanos();
                Object item = first;
                while (item != null) {
                    if (item instanceof CountDownLatch latch) {
                        waiting.add(latch);
                        break;
                    }
                    Reading r = (Reading) item;
                    readings.add(r);
                    int from = intervals.size();
                    Arrival arrival = rules.process(r, intervals);
                    if (arrival == Arrival.LATE_CORRECTED || arrival == Arrival.LATE_UNCORRECTED) {
                        stats.lateReadings.incrementAndGet();
                    }
                    for (int k = from; k < intervals.size(); k++) {
                        if (intervals.get(k).flags().contains(IntervalFlag.REGISTER_DECREASE)) {
                            stats.registerDecreases.incrementAndGet();
                        }
                    }
                    if (readings.size() >= batchSize) break;
                    long left = deadline - System.nanoTime();
                    item = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                }
                if (!readings.isEmpty()) {
                    long writeStart = System.nanoTime();
                    try {
                        store.append(readings, intervals);
                    } catch (RuntimeException e) {
                        rules.discard();
                        throw e;
                    }
                    org.meterhub.engine.metrics.EngineMetrics.STORE_WRITE_SECONDS.observe((System.nanoTime() - writeStart) / 1e9);
                    org.meterhub.engine.metrics.EngineMetrics.READINGS_STORED.inc(readings.size());
                    stats.stored.addAndGet(readings.size());
                    stats.intervals.addAndGet(intervals.size());
                    for (Reading r : readings) {
                        if (r.has(ReadingFlag.VALVE_FAULT) || r.has(ReadingFlag.LOW_BATTERY)) {
                            stats.faultReadings.incrementAndGet();
                        }
                    }
                    readings.clear();
                    intervals.clear();
                    rules.publish();
                }
                waiting.forEach(CountDownLatch::countDown);
                waiting.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // This pipeline ends here; whoever owns it (BatchCommitter) throws it away and retries with a
            // fresh one. The gateway journal (not this queue) is the durable copy.
            log.debug("store write failed, this pipeline stops: {}", e.getMessage());
            failure.set(e);
        }
    }

    /** Drains and commits everything queued, then stops the writer and closes the rules. The store stays open. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!writer.isAlive() && ownsRules) ruleSet.close(); // a writer still draining keeps using them
        }
        rethrowFailure();
    }

    /** Counters read by status lines and tests. */
    public static final class IngestStats {
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong stored = new AtomicLong();
        final AtomicLong intervals = new AtomicLong();
        final AtomicLong faultReadings = new AtomicLong();
        final AtomicLong registerDecreases = new AtomicLong();
        final AtomicLong lateReadings = new AtomicLong();
        final AtomicLong corrections = new AtomicLong();
        final AtomicLong flags = new AtomicLong();
        final AtomicLong leakDetections = new AtomicLong();
        final AtomicLong leakRejudgements = new AtomicLong();
        final AtomicLong lateLeakDetections = new AtomicLong();
        final AtomicLong ruleFailures = new AtomicLong();
        final AtomicLong conversionChecks = new AtomicLong();
        final AtomicLong conversionErrors = new AtomicLong();

        public long accepted() { return accepted.get(); }
        public long stored() { return stored.get(); }
        public long intervals() { return intervals.get(); }
        public long faultReadings() { return faultReadings.get(); }
        public long registerDecreases() { return registerDecreases.get(); }
        /** Readings older than their meter's latest (placed by a correction when the neighbours are known). */
        public long lateReadings() { return lateReadings.get(); }
        /** Correction records written for late readings. */
        public long corrections() { return corrections.get(); }
        /** Validation flags written. */
        public long flags() { return flags.get(); }
        public long leakDetections() { return leakDetections.get(); }
        /** Meters whose late hours (a day after the next one) the leak detectors judged again, once per meter and batch. */
        public long leakRejudgements() { return leakRejudgements.get(); }
        /** Leak episodes found only by judging late hours again (also counted in {@link #leakDetections()}). */
        public long lateLeakDetections() { return lateLeakDetections.get(); }
        /** Batches whose rule records could not be written (their readings are stored). */
        public long ruleFailures() { return ruleFailures.get(); }
        /** Windows of electronic volume converters judged ({@code engine.evc}). */
        public long conversionChecks() { return conversionChecks.get(); }
        /** Of those, windows whose base volume was beyond the tolerance (each a CONVERSION_ERROR flag). */
        public long conversionErrors() { return conversionErrors.get(); }
    }
}
