package org.meterhub.gateway.mqtt;

import java.util.concurrent.CompletableFuture;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;

/**
 * Where uplink readings go when an uplink may only be acknowledged to the broker once its reading
 * is durable: the future completes when the reading is committed (e.g. {@code Journal::append},
 * which completes after the group commit that covers it) and fails when it was refused.
 */
@FunctionalInterface
public interface DurableReadingSink {
    CompletableFuture<Void> append(Reading reading);

    /** A sink that is done when {@code accept} returns (in-memory consumers, tests, benchmarks). */
    static DurableReadingSink of(ReadingSink sink) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        return r -> {
            sink.accept(r);
            return done;
        };
    }
}
