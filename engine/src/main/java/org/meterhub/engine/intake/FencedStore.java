package org.meterhub.engine.intake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.Fence;
import org.meterhub.engine.store.MeterStore;

/**
 * The store as the intake's ingest pipelines see it: every append carries the fencing tokens of
 * the partitions its rows belong to ({@link LeaseFences}), so the store commits it only while this
 * engine still holds them. Everything else goes straight through. Closing it leaves the underlying
 * store open: that one belongs to the engine process, and pipelines come and go.
 */
public final class FencedStore implements MeterStore {
    private final MeterStore store;
    private final LeaseFences fences;

    public FencedStore(MeterStore store, LeaseFences fences) {
        this.store = store;
        this.fences = fences;
    }

    @Override
    public void append(List<Reading> readings, List<ConsumptionInterval> intervals) {
        if (readings.isEmpty() && intervals.isEmpty()) {
            return;
        }
        store.append(readings, intervals, fences.fencesFor(readings, intervals));
    }

    @Override
    public void append(List<Reading> readings, List<ConsumptionInterval> intervals, Collection<Fence> extra) {
        List<Fence> all = new ArrayList<>(fences.fencesFor(readings, intervals));
        all.addAll(extra);
        store.append(readings, intervals, all);
    }

    @Override
    public Fence takeFence(String lease, String holder) {
        return store.takeFence(lease, holder);
    }

    @Override
    public void registerMeter(MeterInfo meter) {
        store.registerMeter(meter);
    }

    @Override
    public Optional<MeterInfo> meter(String meterId) {
        return store.meter(meterId);
    }

    /** The wrapped store's accounts decide: the intake flags no stuck register on a vacant or sealed account's meter. */
    @Override
    public java.util.Set<String> meterIdsNotSupplied() {
        return store.meterIdsNotSupplied();
    }

    /** The wrapped store's record, type and class included: the rules pick the meter's leak settings by it. */
    @Override
    public Optional<MeterProfile> profile(String meterId) {
        return store.profile(meterId);
    }

    @Override
    public List<MeterInfo> meters() {
        return store.meters();
    }

    @Override
    public List<Reading> readings(String meterId, Instant from, Instant to) {
        return store.readings(meterId, from, to);
    }

    @Override
    public List<ConsumptionInterval> intervals(String meterId, Instant from, Instant to) {
        return store.intervals(meterId, from, to);
    }

    @Override
    public Optional<Reading> lastReading(String meterId) {
        return store.lastReading(meterId);
    }

    @Override
    public long readingCount() {
        return store.readingCount();
    }

    @Override
    public String describe() {
        return store.describe() + " (fenced)";
    }

    /** Leaves the underlying store open (see the class comment). */
    @Override
    public void close() {
    }
}
