package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.util.Objects;

/** A fixed monthly charge (meter service, standing charge), CNY per month; pro-rated by days when a version changes mid-cycle. */
public record FixedCharge(String name, BigDecimal monthly) {
    public FixedCharge {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(monthly, "monthly");
        if (name.isBlank()) throw new TariffException("name: must not be empty");
        if (monthly.signum() < 0) throw new TariffException("monthly: must not be negative, got " + monthly.toPlainString());
    }
}
