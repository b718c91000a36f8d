package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One price tier of a tariff version.
 *
 * @param upToL      the tier's upper bound in litres of the household's tariff-year volume;
 *                   {@link #UNBOUNDED} for the last tier
 * @param pricePerM3 CNY per m³, never negative
 */
public record Tier(long upToL, BigDecimal pricePerM3) {
    public static final long UNBOUNDED = Long.MAX_VALUE;

    public Tier {
        Objects.requireNonNull(pricePerM3, "pricePerM3");
        if (pricePerM3.signum() < 0) throw new TariffException("price: must not be negative, got " + pricePerM3.toPlainString());
        if (upToL <= 0) throw new TariffException("up-to-m3: must be positive");
    }

    public boolean unbounded() {
        return upToL == UNBOUNDED;
    }
}
