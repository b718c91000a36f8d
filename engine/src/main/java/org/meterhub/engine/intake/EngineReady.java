package org.meterhub.engine.intake;

import java.util.Objects;
import java.util.Set;

/**
 * "Engine {@code engineId} now takes the batches of these partitions": published on {@code {prefix}/v1/ready} when an
 * engine has (re)subscribed to partitions, after it gained them (its leases came back with the database) or after it
 * reconnected to the broker. Batches sent while nobody was subscribed were dropped by the broker; a gateway resends
 * its batches of those partitions at once instead of after its acknowledgement timeout.
 */
public record EngineReady(String engineId, Set<Integer> partitions) {
    public EngineReady {
        Objects.requireNonNull(engineId, "engineId");
        partitions = Set.copyOf(partitions);
    }
}
