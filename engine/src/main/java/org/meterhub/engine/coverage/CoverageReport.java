package org.meterhub.engine.coverage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.account.AccountsToRead;
import org.meterhub.engine.estimation.ReadingWindow;

/**
 * A cycle's reading coverage against the regulator's targets ({@link CoverageQuery}). Every account
 * to read is exactly one of read, estimated or missing, so {@code read + estimated + missing = to read}.
 *
 * @param quarterCycles    the cycles of the cycle's calendar quarter up to it (e.g. 2026-10, 2026-11)
 * @param readInQuarter    accounts to read that have a real reading in at least one of those windows
 * @param householdsManaged residential accounts on the books, not removed (the 2 % base)
 * @param at               "this week" for commercial accounts is the week before this time
 */
public record CoverageReport(ReadingWindow window, CoverageSettings settings, AccountsToRead accounts, int read,
                             int estimated, int missing, List<YearMonth> quarterCycles, int readInQuarter,
                             long householdsManaged, Instant at, List<Attention> attention) {

    /** Why an account needs someone's attention. */
    public enum Need {
        /** Not read and not estimated in the cycle: a second visit or contact (seed). */
        SECOND_VISIT,
        /** Commercial or industrial, read at least weekly, but not read in the week before {@code at}. */
        COMMERCIAL_NOT_READ_THIS_WEEK
    }

    /**
     * @param lastRead        the latest real reading of the account's meter before {@code at}, if any
     * @param failedAttempts  failed read attempts recorded in the window
     * @param workItem        whether a second-visit work item is recorded for the cycle
     */
    public record Attention(String accountId, String meterId, String customerClass, Need need,
                            Optional<Instant> lastRead, int failedAttempts, boolean workItem) {
        public Attention {
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(need, "need");
            Objects.requireNonNull(lastRead, "lastRead");
        }
    }

    public CoverageReport {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(accounts, "accounts");
        quarterCycles = List.copyOf(quarterCycles);
        attention = List.copyOf(attention);
        if (read + estimated + missing != accounts.toRead()) {
            throw new IllegalStateException("read + estimated + missing != accounts to read");
        }
    }

    public YearMonth cycle() {
        return window.cycle();
    }

    /** Read ÷ to read × 100, two decimals rounded down (a target is never shown as met when it is not); empty when none. */
    public Optional<BigDecimal> monthlyCoverage() {
        return percent(read, accounts.toRead());
    }

    public boolean monthlyMet() {
        return meets(read, accounts.toRead(), settings.monthlyTargetPercent());
    }

    public Optional<BigDecimal> quarterlyCoverage() {
        return percent(readInQuarter, accounts.toRead());
    }

    public boolean quarterlyMet() {
        return meets(readInQuarter, accounts.toRead(), settings.quarterlyTargetPercent());
    }

    /** Estimates ÷ households managed × 100. */
    public Optional<BigDecimal> estimatedShare() {
        return percent(estimated, householdsManaged);
    }

    /** floor(max-estimated-percent × households managed ÷ 100). */
    public long allowedEstimates() {
        return settings.maxEstimatedPercent().multiply(BigDecimal.valueOf(householdsManaged))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR).longValueExact();
    }

    public boolean estimatesWithinLimit() {
        return estimated <= allowedEstimates();
    }

    public List<Attention> attention(Need need) {
        return attention.stream().filter(a -> a.need() == need).toList();
    }

    private static Optional<BigDecimal> percent(long part, long whole) {
        if (whole == 0) return Optional.empty();
        return Optional.of(BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(whole), 2, RoundingMode.DOWN));
    }

    /** part/whole ≥ target/100, exactly; nothing to read meets any target. */
    private static boolean meets(long part, long whole, BigDecimal target) {
        return BigDecimal.valueOf(part).multiply(BigDecimal.valueOf(100))
                .compareTo(target.multiply(BigDecimal.valueOf(whole))) >= 0;
    }
}
