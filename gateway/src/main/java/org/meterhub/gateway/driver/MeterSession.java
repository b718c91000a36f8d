package org.meterhub.gateway.driver;

import java.util.concurrent.CompletableFuture;
import org.meterhub.engine.reading.Reading;

/**
 * An open connection to one bus of meters: the only thing the poll scheduler knows about a
 * protocol. One request at a time: a session refuses a read while another is outstanding.
 */
public interface MeterSession {

    /** Reads the meter's current register. Fails with {@link ReadFailure} on timeout or a bad reply. */
    CompletableFuture<Reading> read(MeterEndpoint meter);

    boolean isOpen();

    /** Closes the underlying channel; outstanding reads fail. */
    void close();
}
