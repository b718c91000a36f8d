package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.meterhub.engine.prepaid.BalanceUnit;

/**
 * One version of a prepaid (IC-card) account's statement for a cycle: the gas used, priced by the
 * same tariff engine as a bill ({@code priced}: its lines, tariff, variants, version and the
 * statement it replaces), beside what the meter did with its credit: the balance it reported at
 * the cycle's start (opening) and end (closing), the card top-ups in between, and so the credit it
 * deducted. The reconciliation is that deduction minus the tariff engine's figure: money for a
 * meter that counts yuan (deducted CNY − the priced gas), volume for one that counts m³ (deducted
 * m³ − metered m³). Never changed once stored: a re-statement is a new version naming this one.
 *
 * @param opening the latest report at or before the period's start; null when there is none
 * @param closing the latest report before the period's end; null when there is none
 */
public record PrepaidStatement(Bill priced, String meterId, BalanceUnit unit, Report opening, BigDecimal purchased,
                               int purchases, Report closing) {

    private static final Set<LineKind> GAS = Set.of(LineKind.USAGE, LineKind.CORRECTION, LineKind.ESTIMATE, LineKind.TRUE_UP);

    /** A balance the meter reported. */
    public record Report(Instant time, BigDecimal balance) {
    }

    public PrepaidStatement {
        Objects.requireNonNull(priced, "priced");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(purchased, "purchased");
    }

    /** Litres of gas the statement prices (fixed charges aside). */
    public long meteredL() {
        return priced.lines().stream().filter(l -> GAS.contains(l.kind())).mapToLong(BillLine::volumeL).sum();
    }

    /** The tariff engine's price of that gas, CNY. */
    public BigDecimal charged() {
        return priced.lines().stream().filter(l -> GAS.contains(l.kind())).map(BillLine::amount)
                .reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }

    /** Credit the meter deducted: opening + top-ups − closing, in the meter's unit; null without both reports. */
    public BigDecimal deducted() {
        if (opening == null || closing == null) return null;
        return opening.balance().add(purchased).subtract(closing.balance()).setScale(unit.decimals(), RoundingMode.UNNECESSARY);
    }

    /** Deducted minus the tariff engine's figure (CNY for a money meter, m³ for a volume meter); null without both reports. */
    public BigDecimal reconciliation() {
        BigDecimal d = deducted();
        if (d == null) return null;
        return unit == BalanceUnit.CNY ? d.subtract(charged()) : d.subtract(BigDecimal.valueOf(meteredL(), 3));
    }

    /** Whether a fresh computation says the same: the same charges and the same meter-side figures. */
    public boolean sameAs(PrepaidStatement o) {
        return priced.sameCharges(o.priced().lines()) && unit == o.unit() && Objects.equals(opening, o.opening())
                && Objects.equals(closing, o.closing()) && purchased.compareTo(o.purchased()) == 0 && purchases == o.purchases();
    }

    public PrepaidStatement withId(long id) {
        return new PrepaidStatement(priced.withId(id), meterId, unit, opening, purchased, purchases, closing);
    }
}
