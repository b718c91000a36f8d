package org.meterhub.engine.estimation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.MeterInfo;

/** Worked examples, one per rule, refusals included. */
class EstimationRunTest {
    private static final YearMonth NOV = YearMonth.of(2026, 11);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-15T02:00:00Z"), ZoneOffset.UTC);
    private static final Instant LAST_READ = Instant.parse("2026-10-26T02:00:00Z");

    private static CycleAccount account(String id, AccountCategory cat, int failed, boolean estimatedBefore,
                                        long prevMonthL, OptionalLong lastYearL) {
        return new CycleAccount(id, "M" + id, cat, NOV, failed, estimatedBefore, 123_450, LAST_READ,
                MeterInfo.CJT188_CAPACITY_L, prevMonthL, 30, lastYearL, lastYearL.isPresent() ? 31 : 0, 30);
    }

    private static EstimationRun run(long residential) {
        return new EstimationRun(EstimationSettings.defaults(), NOV, residential, 0, CLOCK);
    }

    @Test
    void sameCycleLastYearScaledByDays() {
        // 31 000 L in 31 days last year -> 30 000 L for a 30-day cycle; last month was 20 000 L
        Decision d = run(100).decide(account("a1", AccountCategory.RESIDENTIAL, 3, false, 20_000, OptionalLong.of(31_000)));
        assertThat(d).isInstanceOfSatisfying(Decision.Estimated.class, e -> {
            assertThat(e.estimate().volumeL()).isEqualTo(30_000);
            assertThat(e.estimate().method()).isEqualTo(EstimationMethod.SAME_PERIOD_LAST_YEAR);
            assertThat(e.estimate().estimatedRegisterL()).isEqualTo(153_450);
            assertThat(e.estimate().raisedToPreviousMonth()).isFalse();
            assertThat(e.estimate().basis()).contains("31000 L in 31 days");
        });
    }

    @Test
    void withoutLastYearLastMonthsDailyAverage() {
        CycleAccount a = new CycleAccount("a2", "M2", AccountCategory.RESIDENTIAL, NOV, 3, false, 0, LAST_READ,
                MeterInfo.CJT188_CAPACITY_L, 10_001, 29, OptionalLong.empty(), 0, 31);
        Decision d = run(100).decide(a);
        // 10 001 L / 29 days * 31 days = 10 690.72 -> 10 691 L (half-up)
        assertThat(d).isInstanceOfSatisfying(Decision.Estimated.class, e -> {
            assertThat(e.estimate().volumeL()).isEqualTo(10_691);
            assertThat(e.estimate().method()).isEqualTo(EstimationMethod.LAST_MONTH_DAILY_AVERAGE);
        });
    }

    @Test
    void neverBelowLastMonth() {
        // last year's mild November gives 12 000 L, but last month used 18 000 L: raised to 18 000
        Decision d = run(100).decide(account("a3", AccountCategory.RESIDENTIAL, 4, false, 18_000, OptionalLong.of(12_400)));
        assertThat(d).isInstanceOfSatisfying(Decision.Estimated.class, e -> {
            assertThat(e.estimate().volumeL()).isEqualTo(18_000);
            assertThat(e.estimate().raisedToPreviousMonth()).isTrue();
            assertThat(e.estimate().basis()).contains("never below the previous month");
        });
    }

    @Test
    void refusedWithTwoFailedReadsAndSentForASecondVisit() {
        Decision d = run(100).decide(account("a4", AccountCategory.RESIDENTIAL, 2, false, 1, OptionalLong.of(1)));
        assertThat(d).isInstanceOfSatisfying(Decision.Refused.class, r -> {
            assertThat(r.refusal()).isEqualTo(Decision.Refusal.TOO_FEW_FAILED_READS);
            assertThat(r.followUp()).get().extracting(WorkItem::kind).isEqualTo(WorkItem.Kind.SECOND_VISIT);
        });
    }

    @Test
    void refusedTwoCyclesRunning() {
        Decision d = run(100).decide(account("a5", AccountCategory.RESIDENTIAL, 3, true, 1, OptionalLong.of(1)));
        assertThat(d).isInstanceOfSatisfying(Decision.Refused.class, r -> {
            assertThat(r.refusal()).isEqualTo(Decision.Refusal.ESTIMATED_LAST_CYCLE);
            assertThat(r.followUp()).get().extracting(WorkItem::kind).isEqualTo(WorkItem.Kind.MUST_READ);
        });
    }

    @Test
    void commercialAndIndustrialNeverEstimatedButMustBeRead() {
        for (AccountCategory c : new AccountCategory[]{AccountCategory.COMMERCIAL, AccountCategory.INDUSTRIAL}) {
            Decision d = run(100).decide(account("c", c, 9, false, 1, OptionalLong.of(1)));
            assertThat(d).isInstanceOfSatisfying(Decision.Refused.class, r -> {
                assertThat(r.refusal()).isEqualTo(Decision.Refusal.NOT_RESIDENTIAL);
                assertThat(r.followUp()).get().satisfies(w -> {
                    assertThat(w.kind()).isEqualTo(WorkItem.Kind.MUST_READ);
                    assertThat(w.reason()).contains("never estimated");
                });
            });
        }
    }

    @Test
    void atMostTwoPercentOfResidentialAccounts() {
        EstimationRun run = run(250); // 2 % of 250 = 5
        int granted = 0;
        for (int i = 0; i < 8; i++) {
            Decision d = run.decide(account("q" + i, AccountCategory.RESIDENTIAL, 3, false, 1_000, OptionalLong.empty()));
            if (d instanceof Decision.Estimated) granted++;
            else assertThat(((Decision.Refused) d).refusal()).isEqualTo(Decision.Refusal.QUOTA_REACHED);
        }
        assertThat(granted).isEqualTo(5);
        assertThat(run.remaining()).isZero();
        // 49 accounts: 2 % is 0.98, floored to 0 estimates
        assertThat(run(49).decide(account("z", AccountCategory.RESIDENTIAL, 3, false, 1, OptionalLong.of(1))))
                .isInstanceOf(Decision.Refused.class);
    }

    @Test
    void refusedWithoutHistory() {
        CycleAccount a = new CycleAccount("n", "Mn", AccountCategory.RESIDENTIAL, NOV, 3, false, 0, LAST_READ,
                MeterInfo.CJT188_CAPACITY_L, 0, 0, OptionalLong.empty(), 0, 30);
        assertThat(run(100).decide(a)).isInstanceOfSatisfying(Decision.Refused.class,
                r -> assertThat(r.refusal()).isEqualTo(Decision.Refusal.NO_HISTORY));
    }

    @Test
    void trueUpIsANewRecordWithTheDifference() {
        Estimate e = ((Decision.Estimated) run(100).decide(
                account("t", AccountCategory.RESIDENTIAL, 3, false, 20_000, OptionalLong.of(31_000)))).estimate();
        TrueUp t = EstimationRun.trueUp(e, 156_450, Instant.parse("2026-12-27T01:00:00Z"), MeterInfo.CJT188_CAPACITY_L,
                CLOCK.instant());
        assertThat(t.actualVolumeL()).isEqualTo(33_000);
        assertThat(t.differenceL()).isEqualTo(3_000);
        assertThat(e.volumeL()).isEqualTo(30_000); // the estimate as billed is unchanged
    }
}
