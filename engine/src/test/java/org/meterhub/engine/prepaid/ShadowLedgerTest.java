package org.meterhub.engine.prepaid;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowLedgerTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private final List<PrepaidAlarm> alarms = new ArrayList<>();
    private final List<WorkItem> work = new ArrayList<>();
    private final ShadowLedger ledger = new ShadowLedger(PrepaidSettings.defaults(), new PrepaidListener() {
        @Override
        public void alarm(PrepaidAlarm alarm) {
            alarms.add(alarm);
        }

        @Override
        public void workItem(WorkItem item) {
            work.add(item);
        }
    });

    private static BalanceReport report(int hour, long volumeL, String balance) {
        return new BalanceReport("7", T0.plus(Duration.ofHours(hour)), volumeL, new BigDecimal(balance), BalanceUnit.M3, false, false);
    }

    @Test
    void consumptionAndPurchasesKeepTheMeterInAgreement() {
        ledger.accept(report(0, 100_000, "20.000"));
        ledger.accept(report(5, 102_500, "17.500"));
        ledger.addPurchase(new Purchase("P1", "7", T0.plus(Duration.ofHours(6)), new BigDecimal("30"), BalanceUnit.M3));
        ledger.accept(report(10, 103_000, "47.000"));
        assertThat(alarms).isEmpty();
        assertThat(ledger.view("7").orElseThrow().expected()).isEqualByComparingTo("47");
    }

    @Test
    void aRecentPurchaseNotYetOnTheCardIsNoMismatchButAMissingOldOneIs() {
        ledger.accept(report(0, 100_000, "20.000"));
        ledger.addPurchase(new Purchase("P1", "7", T0.plus(Duration.ofHours(1)), new BigDecimal("30"), BalanceUnit.M3));
        ledger.accept(report(2, 101_000, "19.000")); // card not inserted yet: within the 3-day grace
        assertThat(alarms).isEmpty();
        ledger.accept(report(24 * 4, 102_000, "18.000")); // four days later, still not loaded
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(PrepaidAlarmKind.BALANCE_MISMATCH);
            assertThat(a.raised()).isTrue();
            assertThat(a.detail()).contains("ledger 48.000");
        });
    }

    @Test
    void aMeterBalanceOffByMoreThanTheToleranceRaisesThenClearsAMismatch() {
        ledger.accept(report(0, 100_000, "20.000"));
        ledger.accept(report(1, 101_000, "19.050")); // within 0.100
        assertThat(alarms).isEmpty();
        ledger.accept(report(2, 102_000, "19.000")); // 1 m3 too much credit
        ledger.accept(report(3, 103_000, "17.000"));
        assertThat(alarms).extracting(a -> a.kind() + ":" + a.raised())
                .containsExactly("BALANCE_MISMATCH:true", "BALANCE_MISMATCH:false");
    }

    @Test
    void lowBalanceThenOverdraftRaiseAlarmsOnceAndOneReplaceMeterWorkItem() {
        ledger.accept(report(0, 100_000, "6.000"));
        ledger.accept(report(1, 101_500, "4.500"));
        ledger.accept(report(2, 102_000, "4.000"));
        ledger.accept(report(3, 106_500, "-0.500"));
        ledger.accept(report(4, 107_000, "-1.000"));
        assertThat(alarms).extracting(a -> a.kind() + ":" + a.raised())
                .containsExactly("LOW_BALANCE:true", "OVERDRAFT:true");
        assertThat(work).singleElement().satisfies(w -> {
            assertThat(w.kind()).isEqualTo(WorkItem.Kind.REPLACE_METER);
            assertThat(w.time()).isEqualTo(T0.plus(Duration.ofHours(3)));
        });
    }

    @Test
    void aPurchaseIdCountsOnceAndLateReportsAreNotCompared() {
        Purchase p = new Purchase("P9", "7", T0, new BigDecimal("5"), BalanceUnit.M3);
        assertThat(ledger.addPurchase(p)).isTrue();
        assertThat(ledger.addPurchase(p)).isFalse();
        ledger.accept(new BalanceReport("7", T0, 1, new BigDecimal("-5"), BalanceUnit.M3, true, true));
        assertThat(alarms).isEmpty();
        assertThat(work).isEmpty();
    }

    /** The store away while a report is recorded: the account is as before, so the report given again has its edges. */
    @Test
    void aReportThatCannotBeRecordedLeavesTheAccountAsBeforeAndCountsWhenGivenAgain() {
        List<PrepaidAlarm> stored = new ArrayList<>();
        boolean[] storeDown = {false};
        ShadowLedger l = new ShadowLedger(PrepaidSettings.defaults(), new PrepaidListener() {
            @Override
            public void alarm(PrepaidAlarm alarm) {
                if (storeDown[0]) throw new IllegalStateException("store away");
                stored.add(alarm);
            }

            @Override
            public void workItem(WorkItem item) {
            }
        }, new LedgerStateStore() {
            @Override
            public List<LedgerState> loadAll() {
                return List.of();
            }

            @Override
            public void save(LedgerState state) {
                if (storeDown[0]) throw new IllegalStateException("store away");
            }
        });
        l.accept(report(0, 100_000, "6.000"));
        storeDown[0] = true;
        BalanceReport low = report(1, 101_500, "4.500");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> l.accept(low)).hasMessageContaining("store away");
        assertThat(l.view("7").orElseThrow().low()).as("the edge is not taken").isFalse();
        assertThat(l.view("7").orElseThrow().reported()).isEqualByComparingTo("6.000");
        storeDown[0] = false;
        l.accept(low); // the redelivery
        assertThat(stored).extracting(a -> a.kind() + ":" + a.raised()).containsExactly("LOW_BALANCE:true");
        assertThat(l.view("7").orElseThrow().low()).isTrue();
    }
}
