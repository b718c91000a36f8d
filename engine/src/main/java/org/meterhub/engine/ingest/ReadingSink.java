package org.meterhub.engine.ingest;

import org.meterhub.engine.reading.Reading;

/** Where a gateway hands readings over: the engine in one process, or a journal that forwards them. */
@FunctionalInterface
public interface ReadingSink {
    void accept(Reading reading);

    /**
     * Whether a reading handed over now would be kept. False while the sink cannot write durably
     * (e.g. the journal's disk is full): pollers then wait instead of reading a meter and throwing the
     * reply away; a cumulative register loses nothing by being read later.
     */
    default boolean accepting() {
        return true;
    }
}
