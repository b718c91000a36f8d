package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of an account's bill for a cycle. Never changed once stored: a re-bill is a new
 * version whose {@code replacesBillId} names the version it replaces (cancel/rebill).
 *
 * @param billId null until stored
 */
public record Bill(Long billId, String accountId, YearMonth cycle, int version, Long replacesBillId, String reason,
                   String tariffId, List<String> variants, LocalDate periodFirst, LocalDate periodLast,
                   List<BillLine> lines, Instant createdAt) {
    public Bill {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(tariffId, "tariffId");
        Objects.requireNonNull(periodFirst, "periodFirst");
        Objects.requireNonNull(periodLast, "periodLast");
        Objects.requireNonNull(createdAt, "createdAt");
        variants = List.copyOf(variants);
        lines = List.copyOf(lines);
        if (version < 1) throw new IllegalArgumentException("versions start at 1");
        if ((version == 1) != (replacesBillId == null)) throw new IllegalArgumentException("a re-bill names the bill it replaces");
    }

    /** The sum of the lines' amounts (each already rounded to the fen). */
    public BigDecimal total() {
        return lines.stream().map(BillLine::amount).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }

    /** Whether the lines charge the same as the other bill's, line by line. */
    public boolean sameCharges(List<BillLine> other) {
        if (other.size() != lines.size()) return false;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).sameCharge(other.get(i))) return false;
        }
        return true;
    }

    public Optional<Long> id() {
        return Optional.ofNullable(billId);
    }

    public Bill withId(long id) {
        return new Bill(id, accountId, cycle, version, replacesBillId, reason, tariffId, variants, periodFirst,
                periodLast, lines, createdAt);
    }
}
