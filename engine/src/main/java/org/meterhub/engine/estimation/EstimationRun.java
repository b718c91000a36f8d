package org.meterhub.engine.estimation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;

/**
 * Estimation for one billing cycle, exactly as the gas residential rules allow:
 * <ol>
 *   <li>commercial and industrial accounts are never estimated: they get a must-read work item;</li>
 *   <li>only after {@link EstimationSettings#requiredFailedReads()} (3) recorded failed read attempts in the cycle
 *       (fewer: a second-visit work item);</li>
 *   <li>never two cycles running;</li>
 *   <li>at most {@link EstimationSettings#maxEstimatedPercent()} (2 %) of all households managed (not of the accounts to read)
 *       counted down as estimates are granted (first come, first served; the rest must be read);</li>
 *   <li>the volume is the same cycle last year scaled by days, else last cycle's daily average
 *       times the days, and never less than last cycle's volume;</li>
 *   <li>the result is an {@link Estimate} record, marked as such; readings are not touched.</li>
 * </ol>
 * Why that method: gas use is driven by the heating season, so the same weeks a year ago predict
 * a cycle better than last month does (which in October would under-estimate November). A new
 * account has no such year, so its most recent daily average is used. The "not below last
 * month" floor is the regulator's guard against a low estimate carrying consumption into later
 * cycles. Rounding is half-up to the litre, in BigDecimal.
 *
 * <p>One instance per cycle and per run; not thread-safe.
 */
public final class EstimationRun {
    private final EstimationSettings settings;
    private final YearMonth cycle;
    private final long allowed;
    private final Clock clock;
    private long granted;

    /**
     * @param residentialAccounts all households managed (the 2 % base; see {@link EstimationCycle#householdsManaged})
     * @param alreadyEstimated    estimates already granted in this cycle (by an earlier run)
     */
    public EstimationRun(EstimationSettings settings, YearMonth cycle, long residentialAccounts, long alreadyEstimated,
                         Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cycle = Objects.requireNonNull(cycle, "cycle");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (residentialAccounts < 0 || alreadyEstimated < 0) throw new IllegalArgumentException("negative count");
        this.allowed = settings.maxEstimatedPercent().multiply(BigDecimal.valueOf(residentialAccounts))
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR).longValueExact();
        this.granted = alreadyEstimated;
    }

    /** Estimates the quota allows in the cycle: floor(percent × households). */
    public long allowed() {
        return allowed;
    }

    /** Estimates this run may still grant. */
    public long remaining() {
        return Math.max(0, allowed - granted);
    }

    public Decision decide(CycleAccount a) {
        if (!a.cycle().equals(cycle)) throw new IllegalArgumentException("account is for cycle " + a.cycle() + ", run is " + cycle);
        Instant now = clock.instant();
        if (a.category() != AccountCategory.RESIDENTIAL) {
            return refuse(Decision.Refusal.NOT_RESIDENTIAL, a, WorkItem.Kind.MUST_READ,
                    a.category() + " accounts are never estimated; read at least weekly", now);
        }
        if (a.failedReads() < settings.requiredFailedReads()) {
            return refuse(Decision.Refusal.TOO_FEW_FAILED_READS, a, WorkItem.Kind.SECOND_VISIT,
                    a.failedReads() + " failed reads in the cycle; estimation needs " + settings.requiredFailedReads(), now);
        }
        if (a.estimatedPreviousCycle()) {
            return refuse(Decision.Refusal.ESTIMATED_LAST_CYCLE, a, WorkItem.Kind.MUST_READ,
                    "estimated in the previous cycle; never two cycles running", now);
        }
        if (granted >= allowed) {
            return refuse(Decision.Refusal.QUOTA_REACHED, a, WorkItem.Kind.MUST_READ,
                    "estimates would exceed " + settings.maxEstimatedPercent().toPlainString()
                            + " % of households managed (" + allowed + " allowed)", now);
        }
        EstimationMethod method;
        BigDecimal volume;
        String basis;
        if (a.sameCycleLastYearL().isPresent() && a.sameCycleLastYearDays() > 0) {
            method = EstimationMethod.SAME_PERIOD_LAST_YEAR;
            volume = scaled(a.sameCycleLastYearL().getAsLong(), a.cycleDays(), a.sameCycleLastYearDays());
            basis = a.sameCycleLastYearL().getAsLong() + " L in " + a.sameCycleLastYearDays()
                    + " days of the same cycle last year, scaled to " + a.cycleDays() + " days";
        } else if (a.previousMonthDays() > 0) {
            method = EstimationMethod.LAST_MONTH_DAILY_AVERAGE;
            volume = scaled(a.previousMonthVolumeL(), a.cycleDays(), a.previousMonthDays());
            basis = a.previousMonthVolumeL() + " L in " + a.previousMonthDays() + " days last cycle, daily average times "
                    + a.cycleDays() + " days";
        } else {
            return refuse(Decision.Refusal.NO_HISTORY, a, WorkItem.Kind.MUST_READ,
                    "no consumption history to estimate from", now);
        }
        long litres = volume.setScale(0, RoundingMode.HALF_UP).longValueExact();
        boolean raised = litres < a.previousMonthVolumeL();
        if (raised) {
            litres = a.previousMonthVolumeL();
            basis += "; raised to last cycle's " + litres + " L (an estimate is never below the previous month)";
        }
        granted++;
        long register = Math.floorMod(a.lastActualRegisterL() + litres, a.registerCapacityL());
        return new Decision.Estimated(new Estimate(a.accountId(), a.meterId(), cycle, litres, a.lastActualRegisterL(),
                register, method, raised, basis, now));
    }

    /** Reconciles an estimate with the first real reading after it, as a new record. */
    public static TrueUp trueUp(Estimate e, long actualRegisterL, Instant actualTime, long registerCapacityL, Instant now) {
        long actual = actualRegisterL - e.baseRegisterL();
        if (actual < 0) actual += registerCapacityL; // the register wrapped since the last actual reading
        return new TrueUp(e.accountId(), e.meterId(), e.cycle(), e.volumeL(), actualRegisterL, actualTime, actual,
                actual - e.volumeL(), now);
    }

    private static BigDecimal scaled(long litres, int days, int overDays) {
        return BigDecimal.valueOf(litres).multiply(BigDecimal.valueOf(days))
                .divide(BigDecimal.valueOf(overDays), 3, RoundingMode.HALF_UP);
    }

    private Decision refuse(Decision.Refusal r, CycleAccount a, WorkItem.Kind kind, String reason, Instant now) {
        return new Decision.Refused(r, reason, Optional.of(new WorkItem(a.accountId(), a.meterId(), cycle, kind, reason, now)));
    }
}
