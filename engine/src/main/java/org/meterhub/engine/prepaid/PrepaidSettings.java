package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * Thresholds of the prepaid ledger; utilities differ, so each is a setting.
 *
 * @param toleranceM3    a meter balance this close to the ledger is in agreement
 * @param lowBalanceM3   below this a volume meter's balance is low
 * @param lowBalanceCny  below this a money meter's balance is low
 * @param cardLoadGrace  a purchase this recent may not be on the meter yet (the card has to be
 *                       inserted); the meter agrees if it matches with or without such purchases
 */
public record PrepaidSettings(BigDecimal toleranceM3, BigDecimal lowBalanceM3, BigDecimal lowBalanceCny,
                              Duration cardLoadGrace) {
    public PrepaidSettings {
        Objects.requireNonNull(toleranceM3, "toleranceM3");
        Objects.requireNonNull(lowBalanceM3, "lowBalanceM3");
        Objects.requireNonNull(lowBalanceCny, "lowBalanceCny");
        Objects.requireNonNull(cardLoadGrace, "cardLoadGrace");
        if (toleranceM3.signum() < 0) throw new IllegalArgumentException("tolerance must not be negative");
    }

    public static PrepaidSettings defaults() {
        return new PrepaidSettings(new BigDecimal("0.100"), new BigDecimal("5.000"), new BigDecimal("10.00"),
                Duration.ofDays(3));
    }
}
