package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The engine's own account of each prepaid meter's credit, kept beside what the meter reports.
 *
 * <p>The first report of a meter anchors its account (balance and register at that moment); from
 * then on the expected balance is the anchor plus purchases since the anchor minus the gas the
 * register counted since the anchor. A report that differs from the expected balance by more than
 * the tolerance raises {@link PrepaidAlarmKind#BALANCE_MISMATCH}. A recent purchase may not be on
 * the meter yet (the card must be inserted), so purchases younger than the card-load grace may be
 * counted or not. Money meters (balance in CNY) are not compared: that needs the tariff at the time
 * of use; their low-balance and overdraft alarms work.
 *
 * <p>Alarms are edges: raised once when the condition starts, cleared once when it ends. An
 * overdraft also opens one replace-meter work item per meter. Thread-safe (synchronized): reports
 * arrive on MQTT threads, purchases from imports.
 */
public final class ShadowLedger implements BalanceSink {
    private final PrepaidSettings settings;
    private final PrepaidListener listener;
    private final Map<String, Account> accounts = new HashMap<>();

    private static final class Account {
        Instant anchorTime;
        long anchorVolumeL;
        BigDecimal anchorBalance;
        BalanceUnit unit;
        final List<Purchase> purchases = new ArrayList<>();
        final Set<String> purchaseIds = new HashSet<>();
        boolean mismatch, low, overdraft, replacementIssued;
        BigDecimal lastExpected;
        BigDecimal lastReported;
    }

    /** Reported and expected balance of a meter after its latest report; expected is null for money meters. */
    public record View(BigDecimal reported, BigDecimal expected, BalanceUnit unit, boolean mismatch, boolean low,
                       boolean overdraft, boolean replacementIssued) { }

    public ShadowLedger(PrepaidSettings settings, PrepaidListener listener) {
        this.settings = settings;
        this.listener = listener;
    }

    /** Adds a purchase; false if its id was already known for that meter (one effect per id). */
    public synchronized boolean addPurchase(Purchase p) {
        Account a = accounts.computeIfAbsent(p.meterId(), k -> new Account());
        if (!a.purchaseIds.add(p.purchaseId())) return false;
        a.purchases.add(p);
        return true;
    }

    @Override
    public synchronized void accept(BalanceReport r) {
        if (r.late()) return;
        Account a = accounts.computeIfAbsent(r.meterId(), k -> new Account());
        if (a.anchorTime == null || a.unit != r.unit() || r.volumeL() < a.anchorVolumeL || r.time().isBefore(a.anchorTime)) {
            // First report, or the meter was swapped/reset: the account starts again from what it says.
            a.anchorTime = r.time();
            a.anchorVolumeL = r.volumeL();
            a.anchorBalance = r.balance();
            a.unit = r.unit();
        }
        a.lastReported = r.balance();
        if (r.unit() == BalanceUnit.M3) compare(a, r);
        BigDecimal threshold = r.unit() == BalanceUnit.M3 ? settings.lowBalanceM3() : settings.lowBalanceCny();
        boolean low = r.balance().compareTo(threshold) < 0;
        if (low != a.low) {
            a.low = low;
            listener.alarm(new PrepaidAlarm(r.meterId(), PrepaidAlarmKind.LOW_BALANCE, low, r.time(),
                    "balance " + r.balance().toPlainString() + " " + r.unit() + ", threshold " + threshold.toPlainString()));
        }
        boolean over = r.balance().signum() < 0 || r.overdraftReported();
        if (over != a.overdraft) {
            a.overdraft = over;
            listener.alarm(new PrepaidAlarm(r.meterId(), PrepaidAlarmKind.OVERDRAFT, over, r.time(),
                    "balance " + r.balance().toPlainString() + " " + r.unit()));
            if (over && !a.replacementIssued) {
                a.replacementIssued = true;
                listener.workItem(new WorkItem(r.meterId(), WorkItem.Kind.REPLACE_METER, r.time(),
                        "overdrawn prepaid meter: a new meter must be issued"));
            }
        }
    }

    private void compare(Account a, BalanceReport r) {
        BigDecimal purchased = BigDecimal.ZERO;
        BigDecimal recent = BigDecimal.ZERO;
        Instant graceStart = r.time().minus(settings.cardLoadGrace());
        for (Purchase p : a.purchases) {
            if (p.unit() != BalanceUnit.M3 || !p.time().isAfter(a.anchorTime) || p.time().isAfter(r.time())) continue;
            purchased = purchased.add(p.amount());
            if (p.time().isAfter(graceStart)) recent = recent.add(p.amount());
        }
        BigDecimal used = BigDecimal.valueOf(r.volumeL() - a.anchorVolumeL, 3);
        BigDecimal expected = a.anchorBalance.add(purchased).subtract(used);
        a.lastExpected = expected;
        BigDecimal tol = settings.toleranceM3();
        boolean agrees = r.balance().subtract(expected).abs().compareTo(tol) <= 0
                || r.balance().subtract(expected.subtract(recent)).abs().compareTo(tol) <= 0;
        if (agrees == a.mismatch) {
            a.mismatch = !agrees;
            listener.alarm(new PrepaidAlarm(r.meterId(), PrepaidAlarmKind.BALANCE_MISMATCH, !agrees, r.time(),
                    "meter " + r.balance().toPlainString() + " m3, ledger " + expected.toPlainString() + " m3"));
        }
    }

    public synchronized Optional<View> view(String meterId) {
        Account a = accounts.get(meterId);
        if (a == null || a.anchorTime == null) return Optional.empty();
        return Optional.of(new View(a.lastReported, a.lastExpected, a.unit, a.mismatch, a.low, a.overdraft, a.replacementIssued));
    }
}
