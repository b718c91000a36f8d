package org.meterhub.engine.consumption;

import java.time.Duration;

/**
 * @param spreadAfter an interval longer than this is a gap: its volume is spread over the hours
 *                    by time and marked {@link IntervalFlag#SPREAD}
 */
public record ConsumptionSettings(Duration spreadAfter) {
    public static ConsumptionSettings defaults() {
        return new ConsumptionSettings(Duration.ofHours(2));
    }
}
