package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * One point of an accuracy test: the flow rate it ran at and the volumes the reference (bell
 * prover, sonic nozzle, master meter) and the meter under test measured, in whole millilitres.
 */
public record TestPoint(int no, BigDecimal flowM3h, long referenceMl, long meterMl) {
    public TestPoint {
        Objects.requireNonNull(flowM3h, "flowM3h");
        if (referenceMl <= 0) throw new IllegalArgumentException("reference volume must be above zero");
        if (meterMl < 0) throw new IllegalArgumentException("meter volume must not be negative");
    }

    /** (meter − reference) / reference in percent, half-up to 0.001 %. */
    public BigDecimal errorPercent() {
        return BigDecimal.valueOf(meterMl - referenceMl).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(referenceMl), 3, RoundingMode.HALF_UP);
    }
}
