package org.meterhub.engine.ingest;

import org.meterhub.engine.reading.Reading;

/** Where a gateway hands readings over: the engine in one process, or a journal that forwards them. */
@FunctionalInterface
public interface ReadingSink {
    void accept(Reading reading);
}
