package org.meterhub.gateway.mqtt;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.meterhub.engine.ingest.ReadingSink;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.UplinkMark;
import org.meterhub.gateway.journal.UplinkOutcome;

/**
 * Where uplink readings go when an uplink may only be acknowledged to the broker once its reading
 * is durable: the future completes when the reading is committed (e.g. {@code Journal::append},
 * which completes after the group commit that covers it) and fails when it was refused.
 */
@FunctionalInterface
public interface DurableReadingSink {
    CompletableFuture<Void> append(Reading reading);

    /**
     * All readings of one uplink with its identity (meter + seq; null without seq). A sink that
     * {@link #remembersUplinks() remembers uplinks} writes the identity with the readings and says whether
     * it had seen it; this default only appends the readings, and the gateway's memory is the only one.
     */
    default CompletableFuture<UplinkOutcome> appendUplink(UplinkMark mark, List<Reading> readings) {
        CompletableFuture<?>[] each = new CompletableFuture<?>[readings.size()];
        for (int i = 0; i < each.length; i++) each[i] = append(readings.get(i));
        return CompletableFuture.allOf(each).thenApply(v -> UplinkOutcome.NEW);
    }

    /** Whether {@link #appendUplink} recognises uplinks taken before, also across restarts. */
    default boolean remembersUplinks() {
        return false;
    }

    /** A sink that is done when {@code accept} returns (in-memory consumers, tests, benchmarks). */
    static DurableReadingSink of(ReadingSink sink) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        return r -> {
            sink.accept(r);
            return done;
        };
    }

    /** The journal: uplink identities are kept in its SQLite file with the readings. */
    static DurableReadingSink of(Journal journal) {
        return of(journal::append, journal::appendUplink);
    }

    /** A sink that remembers uplinks (e.g. the clock guard in front of the journal). */
    static DurableReadingSink of(Function<Reading, CompletableFuture<Void>> append,
                                 BiFunction<UplinkMark, List<Reading>, CompletableFuture<UplinkOutcome>> uplink) {
        return new DurableReadingSink() {
            @Override
            public CompletableFuture<Void> append(Reading reading) {
                return append.apply(reading);
            }

            @Override
            public CompletableFuture<UplinkOutcome> appendUplink(UplinkMark mark, List<Reading> readings) {
                return uplink.apply(mark, readings);
            }

            @Override
            public boolean remembersUplinks() {
                return true;
            }
        };
    }
}
