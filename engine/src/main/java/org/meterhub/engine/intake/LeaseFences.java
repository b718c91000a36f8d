package org.meterhub.engine.intake;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.Fence;
import org.meterhub.engine.store.FencedOutException;
import org.meterhub.engine.store.MeterStore;

/**
 * The fencing tokens of the partitions this engine holds. A lease (the advisory lock) says who may
 * process a partition; the token makes the store enforce it: taking a partition increments its
 * epoch in the store ({@code lease_fences}) before any state is read, and every append of the
 * partition's rows carries the epoch and is refused once another engine has taken the partition
 * since. That closes the window in which an engine whose lease session broke mid-commit could
 * still write intervals computed from stale per-meter state.
 *
 * <p>{@link #take} and {@link #release} are called by the intake thread; {@link #fencesFor} by
 * the ingest pipeline's writer thread.
 */
public final class LeaseFences {
    private final MeterStore store;
    private final String holder;
    private final int partitions;
    private final Map<Integer, Fence> held = new ConcurrentHashMap<>();

    /**
     * @param store      where the tokens live: the store the rows go to, so the check is in their transaction
     * @param holder     this engine's id, recorded with each take
     * @param partitions the partition count (meters are mapped with {@link Partitions#of})
     */
    public LeaseFences(MeterStore store, String holder, int partitions) {
        this.store = store;
        this.holder = holder;
        this.partitions = Partitions.check(partitions);
    }

    /** The lease name of a partition in {@code lease_fences}. */
    public static String lease(int partition) {
        return "partition/" + partition;
    }

    /**
     * Takes the partition's token (commits a new epoch). Call right after the lease was granted and
     * before processing anything of it.
     *
     * @throws org.meterhub.engine.store.StoreException when the store cannot be reached; the partition is then not usable
     */
    public Fence take(int partition) {
        Fence f = store.takeFence(lease(partition), holder);
        held.put(partition, f);
        return f;
    }

    /** Forgets the partition's token: appends of its meters are refused from now on. */
    public void release(int partition) {
        held.remove(partition);
    }

    /**
     * The tokens covering every meter of the rows.
     *
     * @throws FencedOutException when a meter's partition is not held (any more)
     */
    public List<Fence> fencesFor(Collection<Reading> readings, Collection<ConsumptionInterval> intervals) {
        TreeSet<Integer> needed = new TreeSet<>();
        for (Reading r : readings) {
            needed.add(Partitions.of(r.meterId(), partitions));
        }
        for (ConsumptionInterval i : intervals) {
            needed.add(Partitions.of(i.meterId(), partitions));
        }
        List<Fence> fences = new ArrayList<>(needed.size());
        for (int p : needed) {
            Fence f = held.get(p);
            if (f == null) {
                throw new FencedOutException("partition " + p + " is not held by this engine (" + holder + ")");
            }
            fences.add(f);
        }
        return fences;
    }
}
