package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How a measured error turns a metered volume into the true one for a dispute's re-bill. The seed
 * gives no formula; {@link #DIVIDE} is the usual one (outside knowledge), the default.
 */
public enum ErrorFormula {
    /** true = metered / (1 + error). */
    DIVIDE("true = metered / (1 + error)"),
    /** true = metered × (1 − error). */
    SUBTRACT("true = metered × (1 - error)");

    private final String shown;

    ErrorFormula(String shown) {
        this.shown = shown;
    }

    public String shown() {
        return shown;
    }

    /** The true volume in whole litres (half-up) for a metered volume and an error in percent. */
    public long trueLitres(long meteredL, BigDecimal errorPercent) {
        BigDecimal hundred = BigDecimal.valueOf(100);
        BigDecimal metered = BigDecimal.valueOf(meteredL);
        BigDecimal t = switch (this) {
            case DIVIDE -> metered.multiply(hundred).divide(hundred.add(errorPercent), 0, RoundingMode.HALF_UP);
            case SUBTRACT -> metered.multiply(hundred.subtract(errorPercent)).divide(hundred, 0, RoundingMode.HALF_UP);
        };
        return t.longValueExact();
    }
}
