package org.meterhub.engine.query;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Consumption of one meter as a series of buckets (hours, billing days or months), like
 * {@code time_bucket} over the consumption table, but computed in Java from
 * {@link MeterStore#intervals} so that every store gives the same answer.
 *
 * <p>The series covers [from, to) without gaps: buckets with no intervals are included with
 * volume 0, so a table shows them. Buckets are aligned in the utility's zone
 * ({@link #DEFAULT_ZONE} unless told otherwise; see {@link Step}). When {@code from} or
 * {@code to} is not on a bucket boundary, the first or last bucket is cut to the range and its
 * start or end says so. An interval is counted in the bucket where it starts; since intervals
 * never cross an hour boundary, bucket volumes are exact.
 */
public final class ConsumptionQuery {

    /** The zone of the utilities served first; a default, every call may name another. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");

    /** Refuses a series longer than this (about 114 years of hours). */
    public static final int MAX_BUCKETS = 1_000_000;

    private ConsumptionQuery() {
    }

    /** {@link #series(MeterStore, String, Instant, Instant, Step, ZoneId)} in {@link #DEFAULT_ZONE}. */
    public static List<Bucket> series(MeterStore store, String meterId, Instant from, Instant to, Step step) {
        return series(store, meterId, from, to, step, DEFAULT_ZONE);
    }

    /**
     * The meter's consumption in [from, to), one bucket per step.
     *
     * @throws IllegalArgumentException if {@code to} is before {@code from}, or the series would
     *                                  have more than {@link #MAX_BUCKETS} buckets
     */
    public static List<Bucket> series(MeterStore store, String meterId, Instant from, Instant to, Step step,
                                      ZoneId zone) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(meterId, "meterId");
        List<Instant> bounds = boundaries(from, to, step, zone); // validates before touching the store
        if (bounds.size() < 2) {
            return List.of();
        }
        return fill(bounds, store.intervals(meterId, from, to));
    }

    /**
     * The same series as {@link #series(MeterStore, String, Instant, Instant, Step, ZoneId)}, with
     * whole buckets read from the store's rollup of that step (one row per bucket instead of every
     * interval) and only cut edge buckets summed from intervals. Hours are the same in every zone;
     * days and months use the rollups only in the store's rollup zone.
     */
    public static List<Bucket> series(TimeSeriesStore store, String meterId, Instant from, Instant to, Step step,
                                      ZoneId zone) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(meterId, "meterId");
        List<Instant> bounds = boundaries(from, to, step, zone);
        if (bounds.size() < 2) {
            return List.of();
        }
        if (step != Step.HOUR && !zone.equals(store.rollupZone())) {
            return fill(bounds, store.intervals(meterId, from, to));
        }
        int n = bounds.size() - 1;
        boolean firstWhole = whole(bounds.get(0), bounds.get(1), step, zone);
        boolean lastWhole = whole(bounds.get(n - 1), bounds.get(n), step, zone);
        int wholeFrom = firstWhole ? 0 : 1;
        int wholeTo = lastWhole ? n : n - 1; // buckets [wholeFrom, wholeTo) are whole
        List<ConsumptionInterval> edges = new ArrayList<>();
        if (!firstWhole) {
            edges.addAll(store.intervals(meterId, bounds.get(0), bounds.get(1)));
        }
        if (!lastWhole && n - 1 > 0) {
            edges.addAll(store.intervals(meterId, bounds.get(n - 1), bounds.get(n)));
        }
        List<Bucket> cut = fill(bounds, edges);
        if (wholeFrom >= wholeTo) {
            return cut;
        }
        java.util.Map<Instant, RollupRow> rows = new java.util.HashMap<>();
        for (RollupRow r : store.rollup(step, meterId, bounds.get(wholeFrom), bounds.get(wholeTo))) {
            rows.put(r.bucket(), r);
        }
        List<Bucket> buckets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (i < wholeFrom || i >= wholeTo) {
                buckets.add(cut.get(i));
                continue;
            }
            RollupRow r = rows.get(bounds.get(i));
            buckets.add(r == null ? new Bucket(bounds.get(i), bounds.get(i + 1), 0, Set.of(), 0)
                    : new Bucket(bounds.get(i), bounds.get(i + 1), r.volumeL(), r.flags(), r.intervals()));
        }
        return List.copyOf(buckets);
    }

    private static boolean whole(Instant start, Instant end, Step step, ZoneId zone) {
        return step.floor(start, zone).equals(start) && step.next(start, zone).equals(end);
    }

    /**
     * The same series from intervals already at hand (all of one meter). Intervals whose start
     * lies outside [from, to) are ignored.
     */
    public static List<Bucket> series(Collection<ConsumptionInterval> intervals, Instant from, Instant to,
                                      Step step, ZoneId zone) {
        Objects.requireNonNull(intervals, "intervals");
        List<Instant> bounds = boundaries(from, to, step, zone);
        if (bounds.size() < 2) {
            return List.of();
        }
        return fill(bounds, intervals);
    }

    /** Sum of the bucket volumes, in litres. */
    public static long total(List<Bucket> buckets) {
        long sum = 0;
        for (Bucket b : buckets) {
            sum = Math.addExact(sum, b.volumeL());
        }
        return sum;
    }

    /** from, the aligned bucket starts strictly inside (from, to), then to. */
    private static List<Instant> boundaries(Instant from, Instant to, Step step, ZoneId zone) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(zone, "zone");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range ends before it starts: " + from + " .. " + to);
        }
        List<Instant> bounds = new ArrayList<>();
        if (from.equals(to)) {
            return bounds;
        }
        bounds.add(from);
        for (Instant t = step.next(step.floor(from, zone), zone); t.isBefore(to); t = step.next(t, zone)) {
            if (bounds.size() > MAX_BUCKETS) {
                throw new IllegalArgumentException("more than " + MAX_BUCKETS + " " + step + " buckets in "
                        + from + " .. " + to + "; use a larger step or a shorter range");
            }
            bounds.add(t);
        }
        bounds.add(to);
        return bounds;
    }

    private static List<Bucket> fill(List<Instant> bounds, Collection<ConsumptionInterval> intervals) {
        int n = bounds.size() - 1;
        long[] volume = new long[n];
        int[] count = new int[n];
        List<EnumSet<IntervalFlag>> flags = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            flags.add(EnumSet.noneOf(IntervalFlag.class));
        }
        Instant from = bounds.get(0);
        Instant to = bounds.get(n);
        for (ConsumptionInterval interval : intervals) {
            Instant start = interval.start();
            if (start.isBefore(from) || !start.isBefore(to)) {
                continue;
            }
            int i = bucketOf(bounds, start);
            volume[i] = Math.addExact(volume[i], interval.volumeL());
            count[i]++;
            flags.get(i).addAll(interval.flags());
        }
        List<Bucket> buckets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            buckets.add(new Bucket(bounds.get(i), bounds.get(i + 1), volume[i], flags.get(i), count[i]));
        }
        return List.copyOf(buckets);
    }

    /** Index of the bucket [bounds[i], bounds[i+1]) containing t; t lies in [first, last). */
    private static int bucketOf(List<Instant> bounds, Instant t) {
        int lo = 0;
        int hi = bounds.size() - 2;
        while (lo < hi) { // invariant: bounds[lo] <= t, and the answer is in [lo, hi]
            int mid = (lo + hi + 1) >>> 1;
            if (bounds.get(mid).isAfter(t)) {
                hi = mid - 1;
            } else {
                lo = mid;
            }
        }
        return lo;
    }
}
