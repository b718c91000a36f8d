package org.meterhub.engine.intake;

import java.util.Set;

/**
 * Which partitions this engine may process. Called from the intake thread only.
 */
public interface PartitionLeases extends AutoCloseable {

    /**
     * Renews, takes and gives up leases as the number of live engines requires and returns the
     * partitions held now. A lost lease store means no partitions until it is back.
     */
    Set<Integer> refresh();

    /** Whether the lease on {@code partition} is still held, checked just before a commit is acknowledged. */
    boolean holds(int partition);

    @Override
    void close();

    /** Every partition, for a single engine that shares its stream with no one (e.g. on SQLite). */
    static PartitionLeases all(int partitions) {
        Partitions.check(partitions);
        Set<Integer> every = java.util.stream.IntStream.range(0, partitions).boxed()
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new PartitionLeases() {
            @Override
            public Set<Integer> refresh() {
                return every;
            }

            @Override
            public boolean holds(int partition) {
                return every.contains(partition);
            }

            @Override
            public void close() {
            }
        };
    }
}
