package org.meterhub.engine.estimation;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An account to read in a billing cycle, with the facts estimation decides on. No customer
 * data: the account is an id.
 *
 * @param failedReads             read attempts that failed in this cycle
 * @param estimatedPreviousCycle  the account's previous cycle was billed on an estimate
 * @param lastActualRegisterL     the last real register reading, litres
 * @param previousMonthVolumeL    consumption billed for the previous cycle, litres
 * @param previousMonthDays       days that volume covered
 * @param sameCycleLastYearL      consumption in the same cycle a year ago, if known
 * @param sameCycleLastYearDays   days that covered (0 when unknown)
 * @param cycleDays               days the estimate must cover
 */
public record CycleAccount(String accountId, String meterId, AccountCategory category, YearMonth cycle,
                           int failedReads, boolean estimatedPreviousCycle, long lastActualRegisterL,
                           Instant lastActualTime, long registerCapacityL, long previousMonthVolumeL,
                           int previousMonthDays, OptionalLong sameCycleLastYearL, int sameCycleLastYearDays,
                           int cycleDays) {
    public CycleAccount {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(cycle, "cycle");
        Objects.requireNonNull(lastActualTime, "lastActualTime");
        Objects.requireNonNull(sameCycleLastYearL, "sameCycleLastYearL");
        if (failedReads < 0 || cycleDays <= 0 || previousMonthDays < 0 || sameCycleLastYearDays < 0) {
            throw new IllegalArgumentException("counts and days must not be negative; cycleDays must be positive");
        }
        if (previousMonthVolumeL < 0) throw new IllegalArgumentException("negative volume");
    }
}
