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
 *
 * <p>With a {@link LedgerStateStore} each meter's state (basis, latest report, purchases counted,
 * standing alarms) is saved after every report and loaded at start, so a restart continues the
 * account and neither repeats nor forgets alarm edges. Purchases are not part of that state: they
 * live in their own table and are added again at start ({@link #addPurchase}).
 */
public final class ShadowLedger implements BalanceSink {
    private final PrepaidSettings settings;
    private final PrepaidListener listener;
    private final LedgerStateStore states;
    private final Map<String, Account> accounts = new HashMap<>();

    private static final class Account {
        Instant anchorTime;
        long anchorVolumeL;
        BigDecimal anchorBalance;
        BalanceUnit unit;
        Instant lastTime;
        long lastVolumeL;
        BigDecimal purchasesApplied = BigDecimal.ZERO;
        final List<Purchase> purchases = new ArrayList<>();
        final Set<String> purchaseIds = new HashSet<>();
        boolean mismatch, low, overdraft, replacementIssued;
        BigDecimal lastExpected;
        BigDecimal lastReported;

        /** The fields a report changes, to put back when the report could not be recorded. */
        Account copyOfState() {
            Account c = new Account();
            c.anchorTime = anchorTime;
            c.anchorVolumeL = anchorVolumeL;
            c.anchorBalance = anchorBalance;
            c.unit = unit;
            c.lastTime = lastTime;
            c.lastVolumeL = lastVolumeL;
            c.purchasesApplied = purchasesApplied;
            c.mismatch = mismatch;
            c.low = low;
            c.overdraft = overdraft;
            c.replacementIssued = replacementIssued;
            c.lastExpected = lastExpected;
            c.lastReported = lastReported;
            return c;
        }

        void restore(Account c) {
            anchorTime = c.anchorTime;
            anchorVolumeL = c.anchorVolumeL;
            anchorBalance = c.anchorBalance;
            unit = c.unit;
            lastTime = c.lastTime;
            lastVolumeL = c.lastVolumeL;
            purchasesApplied = c.purchasesApplied;
            mismatch = c.mismatch;
            low = c.low;
            overdraft = c.overdraft;
            replacementIssued = c.replacementIssued;
            lastExpected = c.lastExpected;
            lastReported = c.lastReported;
        }
    }

    /** Reported and expected balance of a meter after its latest report; expected is null for money meters. */
    public record View(BigDecimal reported, BigDecimal expected, BalanceUnit unit, boolean mismatch, boolean low,
                       boolean overdraft, boolean replacementIssued) { }

    /** A ledger kept in memory only: it re-anchors on each meter's first report after a restart. */
    public ShadowLedger(PrepaidSettings settings, PrepaidListener listener) {
        this(settings, listener, LedgerStateStore.NONE);
    }

    /** A ledger that continues from the saved state of every meter. */
    public ShadowLedger(PrepaidSettings settings, PrepaidListener listener, LedgerStateStore states) {
        this.settings = settings;
        this.listener = listener;
        this.states = states;
        for (LedgerState st : states.loadAll()) {
            Account a = new Account();
            a.unit = st.unit();
            a.anchorTime = st.anchorTime();
            a.anchorVolumeL = st.anchorVolumeL();
            a.anchorBalance = st.anchorBalance();
            a.lastTime = st.lastTime();
            a.lastVolumeL = st.lastVolumeL();
            a.lastReported = st.lastReported();
            a.lastExpected = st.lastExpected();
            a.purchasesApplied = st.purchasesApplied();
            a.mismatch = st.mismatch();
            a.low = st.low();
            a.overdraft = st.overdraft();
            a.replacementIssued = st.replacementIssued();
            accounts.put(st.meterId(), a);
        }
    }

    /** Adds a purchase; false if its id was already known for that meter (one effect per id). */
    public synchronized boolean addPurchase(Purchase p) {
        Account a = accounts.computeIfAbsent(p.meterId(), k -> new Account());
        if (!a.purchaseIds.add(p.purchaseId())) return false;
        a.purchases.add(p);
        return true;
    }

    /**
     * All or nothing: when an alarm, work item or the saved state cannot be recorded (the store is away), the account
     * is as before the report and the failure is thrown, so the same report given again (the MQTT redelivery)
     * raises the same edges instead of finding them already taken.
     */
    @Override
    public synchronized void accept(BalanceReport r) {
        if (r.late()) return;
        Account a = accounts.computeIfAbsent(r.meterId(), k -> new Account());
        Account before = a.copyOfState();
        try {
            apply(a, r);
        } catch (RuntimeException e) {
            a.restore(before);
            throw e;
        }
    }

    private void apply(Account a, BalanceReport r) {
        if (a.anchorTime == null || a.unit != r.unit() || r.volumeL() < a.anchorVolumeL || r.time().isBefore(a.anchorTime)) {
            // First report, or the meter was swapped/reset: the account starts again from what it says.
            a.anchorTime = r.time();
            a.anchorVolumeL = r.volumeL();
            a.anchorBalance = r.balance();
            a.unit = r.unit();
            a.lastExpected = null;
            a.purchasesApplied = BigDecimal.ZERO;
        }
        a.lastReported = r.balance();
        a.lastTime = r.time();
        a.lastVolumeL = r.volumeL();
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
        // Saved after the listener saw the edges: a crash in between repeats an edge (the alarm
        // lifecycle makes a repeated raise a no-op) rather than losing one.
        states.save(new LedgerState(r.meterId(), a.unit, a.anchorTime, a.anchorVolumeL, a.anchorBalance, a.lastTime,
                a.lastVolumeL, a.lastReported, a.lastExpected, a.purchasesApplied, a.mismatch, a.low, a.overdraft,
                a.replacementIssued));
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
        a.purchasesApplied = purchased;
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
