package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * Credit bought for a meter (at the service hall onto the IC card, or through the API).
 * Immutable; a refund is a new purchase with a negative amount.
 *
 * @param purchaseId unique per purchase; importing the same id again has no effect
 */
public record Purchase(String purchaseId, String meterId, Instant time, BigDecimal amount, BalanceUnit unit) {
    public Purchase {
        Objects.requireNonNull(purchaseId, "purchaseId");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(unit, "unit");
        if (amount.scale() > unit.decimals()) {
            throw new IllegalArgumentException("amount " + amount.toPlainString() + " has more than " + unit.decimals() + " decimals");
        }
    }
}
