package org.meterhub.engine.consumption;

import java.util.List;

/** Where {@link IntervalCorrection}s are kept: append-only, a correction saved twice is kept once. */
public interface CorrectionRepository {

    void save(IntervalCorrection correction);

    /** The meter's corrections in sequence order. */
    List<IntervalCorrection> corrections(String meterId);
}
