package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * The credit a prepaid meter says it has, with the register at the same moment.
 *
 * @param balance           may be negative (an overdrawn meter)
 * @param overdraftReported the meter itself raised {@code overdraft}
 * @param late              arrived after newer reports; kept for the record but not compared
 */
public record BalanceReport(String meterId, Instant time, long volumeL, BigDecimal balance, BalanceUnit unit,
                            boolean overdraftReported, boolean late) {
    public BalanceReport {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(unit, "unit");
    }
}
