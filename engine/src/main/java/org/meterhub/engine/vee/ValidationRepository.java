package org.meterhub.engine.vee;

import java.time.Instant;
import java.util.List;

/** Where validation flags are kept, append-only, and how they are found again. */
public interface ValidationRepository {

    /** Appends; a flag equal in (meter, reading time, kind) to a stored one is ignored. */
    void save(List<ValidationFlag> flags);

    /** The meter's flags on readings with time in [from, to), oldest first. */
    List<ValidationFlag> flags(String meterId, Instant from, Instant to);

    /** Flags of one kind on any meter, detected in [from, to), oldest first. */
    List<ValidationFlag> flagsOfKind(FlagKind kind, Instant from, Instant to);
}
