package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The regulated numbers of accuracy tests and disputes, each a setting (docs/accuracy.md). Defaults:
 * class 1.5 limits ±1.5 % for Qt ≤ Q ≤ Qmax and ±3 % for Qmin ≤ Q &lt; Qt with Qt = 0.1·Qmax (outside:
 * OIML R137-1 / GB/T 6968), used as the dispute's legal limit; two months re-billed (seed 000, ch. 9);
 * {@code true = metered / (1 + error)} (outside). The seed names a spare-meter deposit and a test fee
 * but no amounts: the defaults (300.00 and 60.00 CNY) are placeholders to set per utility.
 *
 * @param upperZoneLimitPercent |error| allowed for Qt ≤ Q ≤ Qmax
 * @param lowerZoneLimitPercent |error| allowed for Qmin ≤ Q &lt; Qt
 * @param qtRatio               Qt / Qmax
 */
public record AccuracyRules(BigDecimal upperZoneLimitPercent, BigDecimal lowerZoneLimitPercent, BigDecimal qtRatio,
                            BigDecimal deposit, BigDecimal testFee, int rebillMonths, ErrorFormula errorFormula,
                            RebillError rebillError) {
    /** Defaults; the deposit (300.00) and test fee (60.00) are placeholders: the seed gives no amounts, `dispute open --spare` requires the utility's. */
    public static final AccuracyRules DEFAULTS = new AccuracyRules(new BigDecimal("1.5"), new BigDecimal("3"),
            new BigDecimal("0.1"), new BigDecimal("300.00"), new BigDecimal("60.00"), 2, ErrorFormula.DIVIDE,
            RebillError.WORST_POINT);

    public AccuracyRules {
        positive("upper-zone-limit-percent", upperZoneLimitPercent, new BigDecimal("20"));
        positive("lower-zone-limit-percent", lowerZoneLimitPercent, new BigDecimal("20"));
        positive("qt-ratio", qtRatio, BigDecimal.ONE);
        if (qtRatio.compareTo(BigDecimal.ONE) >= 0) throw new IllegalArgumentException("qt-ratio: must be below 1, got " + qtRatio.toPlainString());
        money("deposit", deposit);
        money("test-fee", testFee);
        deposit = deposit.setScale(2);
        testFee = testFee.setScale(2);
        if (rebillMonths < 1 || rebillMonths > 24) throw new IllegalArgumentException("rebill-months: expected 1..24, got " + rebillMonths);
        Objects.requireNonNull(errorFormula, "error-formula");
        Objects.requireNonNull(rebillError, "rebill-error");
    }

    /** The limit of a zone, percent. */
    public BigDecimal limit(FlowZone z) {
        return z == FlowZone.UPPER ? upperZoneLimitPercent : lowerZoneLimitPercent;
    }

    private static void positive(String field, BigDecimal v, BigDecimal max) {
        if (v == null) throw new IllegalArgumentException(field + ": expected a number");
        if (v.signum() <= 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + ": expected a number above 0 and at most " + max.toPlainString() + ", got " + v.toPlainString());
        }
    }

    private static void money(String field, BigDecimal v) {
        if (v == null) throw new IllegalArgumentException(field + ": expected an amount in CNY such as 60.00");
        if (v.signum() < 0) throw new IllegalArgumentException(field + ": must not be negative, got " + v.toPlainString());
        if (v.stripTrailingZeros().scale() > 2) throw new IllegalArgumentException(field + ": expected whole fen (0.01 CNY), got " + v.toPlainString());
    }
}
