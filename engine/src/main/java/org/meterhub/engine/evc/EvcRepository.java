package org.meterhub.engine.evc;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where converter samples are kept, append-only, keyed (meter, time). */
public interface EvcRepository {

    /** Appends; a sample equal in (meter, time) to a stored one is ignored. */
    void save(List<EvcSample> samples);

    /** The meter's latest sample with time before {@code before}: where a check resumes after a restart. */
    Optional<EvcSample> lastBefore(String meterId, Instant before);

    /** The meter's samples with time in [from, to), oldest first. */
    List<EvcSample> samples(String meterId, Instant from, Instant to);
}
