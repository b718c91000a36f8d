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

    /**
     * A poll of the meter failed after the poller's retries: a real read attempt that "three times not
     * read" counts (engine.attempt). Called on the poller's event loop: must not block. Sinks that keep
     * no attempts ignore it (the default; the journal does not carry them).
     *
     * @param source the bus or device, e.g. DTU-0001
     */
    default void readFailed(String meterId, String source, String why) {
    }
}
