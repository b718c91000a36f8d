package org.meterhub.engine.store;

import java.util.Objects;

/**
 * A fencing token: the epoch an engine got from {@link MeterStore#takeFence} when it took a lease.
 * An append carrying it commits only while the lease's epoch in the store is still this one, so an
 * engine that lost its lease (and whose successor took the lease again, incrementing the epoch)
 * cannot commit rows computed from stale state.
 *
 * @param lease what is leased, e.g. {@code partition/3}
 */
public record Fence(String lease, long epoch) {
    public Fence {
        Objects.requireNonNull(lease, "lease");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be positive: " + epoch);
        }
    }
}
