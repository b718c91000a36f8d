package org.meterhub.engine.attempt;

import java.time.Instant;
import java.util.List;

/** Where read attempts are recorded and counted ({@link JdbcReadAttempts} in the store's database). */
public interface ReadAttemptLog {
    /** @return false when the same attempt (meter, channel, time) was recorded before (kept as it was) */
    boolean record(ReadAttempt attempt);

    /** The meter's recorded attempts in [from, to), oldest first. */
    List<ReadAttempt> attempts(String meterId, Instant from, Instant to);

    /** The meter's failed attempts in [from, to). */
    default int failed(String meterId, Instant from, Instant to) {
        return (int) attempts(meterId, from, to).stream().filter(a -> a.result() == ReadAttempt.Result.FAILED).count();
    }
}
