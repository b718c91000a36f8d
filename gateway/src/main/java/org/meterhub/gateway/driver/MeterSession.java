package org.meterhub.gateway.driver;

import java.time.YearMonth;
import java.util.concurrent.CompletableFuture;
import org.meterhub.engine.reading.Reading;

/**
 * An open connection to one bus of meters: the only thing the poll scheduler knows about a
 * protocol. One request at a time: a session refuses a read while another is outstanding.
 */
public interface MeterSession {

    /** Reads the meter's current register. Fails with {@link ReadFailure} on timeout or a bad reply. */
    CompletableFuture<Reading> read(MeterEndpoint meter);

    /**
     * Reads the register the meter stored at its latest settlement day, which the caller expects to be the
     * one in {@code month} ({@link MeterEndpoint#settlementInstant}). The reading's time is that settlement
     * instant. Fails with {@link ReadFailure} like {@link #read}; a protocol without settlement registers
     * fails with {@link UnsupportedOperationException}.
     */
    default CompletableFuture<Reading> readSettlement(MeterEndpoint meter, YearMonth month) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                getClass().getSimpleName() + " has no settlement-day register"));
    }

    boolean isOpen();

    /** Closes the underlying channel; outstanding reads fail. */
    void close();
}
