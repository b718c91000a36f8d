package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One calculation line of a bill: a volume in one tier under one tariff version times its price,
 * or a fixed charge. The amount is rounded per line, half-up to the fen (0.01 CNY).
 *
 * @param meterId      null for fixed charges
 * @param tier         1..n; null for fixed charges
 * @param tariffYear   the tariff year the volume counts in for tier positions; null for fixed charges
 * @param volumeL      litres, signed (true-ups and corrections may credit); 0 for fixed charges
 * @param unitPrice    CNY per m³, or CNY per month for a fixed charge
 * @param explanation  where the volume came from and how it was priced
 */
public record BillLine(int no, LineKind kind, String meterId, LocalDate firstDay, LocalDate lastDay,
                       LocalDate tariffVersion, Integer tier, Integer tariffYear, long volumeL, BigDecimal unitPrice,
                       BigDecimal amount, boolean estimated, String explanation) {
    public BillLine {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(firstDay, "firstDay");
        Objects.requireNonNull(lastDay, "lastDay");
        Objects.requireNonNull(tariffVersion, "tariffVersion");
        Objects.requireNonNull(unitPrice, "unitPrice");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(explanation, "explanation");
        if (amount.scale() != 2) throw new IllegalArgumentException("amounts are kept to the fen: " + amount);
    }

    /** The same line under another number. */
    public BillLine renumbered(int newNo) {
        return new BillLine(newNo, kind, meterId, firstDay, lastDay, tariffVersion, tier, tariffYear, volumeL, unitPrice, amount,
                estimated, explanation);
    }

    /** Whether the two lines charge the same thing (the explanation's wording aside). */
    public boolean sameCharge(BillLine o) {
        return kind == o.kind && Objects.equals(meterId, o.meterId) && firstDay.equals(o.firstDay)
                && lastDay.equals(o.lastDay) && tariffVersion.equals(o.tariffVersion) && Objects.equals(tier, o.tier)
                && Objects.equals(tariffYear, o.tariffYear) && volumeL == o.volumeL
                && unitPrice.compareTo(o.unitPrice) == 0 && amount.compareTo(o.amount) == 0 && estimated == o.estimated;
    }
}
