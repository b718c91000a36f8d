package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The bill run of one cycle: one bill per account to read, from the store's consumption, the
 * cycle's estimates, the previous cycle's estimate (trued up once read), meter exchanges and
 * late-reading corrections, priced by the tariff in force on each day.
 *
 * <p>Idempotent: an account whose current bill charges exactly what the data gives now is left
 * alone; one whose data changed is reported ({@link Status#CHANGED}) and, with {@code rebill},
 * gets a new version that names the one it replaces. All bills of a run are written in one
 * transaction: a run that fails (missing tariff version, an account's unknown variant, a store
 * error) leaves no bill behind. Tariffs are checked before any account is priced.
 *
 * <p>The bills' database connection ({@code bills}) must not be the one the usage is read through
 * ({@link StoreUsage}'s rule records): the run keeps its transaction open while it reads.
 */
public final class BillRun {

    /** What the run did with one account. */
    public enum Status { NEW, REBILLED, UNCHANGED, CHANGED, NO_METER }

    public record Outcome(String accountId, Status status, Optional<Bill> bill, String note) {
    }

    /** Progress and per-account outcomes, as they happen (streamed: the run keeps no list). */
    public interface Listener {
        default void progress(int done, int total) {
        }

        default void outcome(Outcome o) {
        }
    }

    public record Report(YearMonth cycle, BillPeriod period, boolean dryRun, int accounts, Map<Status, Integer> counts,
                         BigDecimal newTotal) {
        public int count(Status s) {
            return counts.getOrDefault(s, 0);
        }
    }

    private final TimeSeriesStore store;
    private final JdbcBills bills;
    private final JdbcTariffs tariffs;
    private final JdbcEstimationRecords estimates;
    private final StoreUsage usage;
    private final Clock clock;

    public BillRun(TimeSeriesStore store, JdbcBills bills, JdbcTariffs tariffs, JdbcEstimationRecords estimates,
                   StoreUsage usage, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.bills = Objects.requireNonNull(bills, "bills");
        this.tariffs = Objects.requireNonNull(tariffs, "tariffs");
        this.estimates = Objects.requireNonNull(estimates, "estimates");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Report run(YearMonth cycle, boolean dryRun, boolean rebill, Listener listener) {
        BillPeriod period = new BillPeriod(cycle, usage.zone());
        TariffBook book = tariffs.book();
        List<Account> accounts = store.accounts(AccountState.IGNITED).stream().filter(a -> a.toRead(cycle))
                .sorted(Comparator.comparing(Account::accountId)).toList();
        Map<CustomerClass, Tariff> byClass = new EnumMap<>(CustomerClass.class);
        for (Account a : accounts) {
            if (byClass.containsKey(a.customerClass())) continue;
            Tariff t = book.forClass(a.customerClass()).orElseThrow(() -> new TariffException("bill run " + cycle
                    + ": no tariff for " + a.customerClass().name().toLowerCase() + " accounts (e.g. " + a.accountId()
                    + "); load one with meterhub tariff load"));
            if (t.versionOn(period.firstDay()).isEmpty()) {
                throw new TariffException("bill run " + cycle + ": no version of tariff " + t.id() + " covers "
                        + period.firstDay() + ".." + period.lastDay() + " (its first version is from "
                        + t.versions().get(0).validFrom() + ")");
            }
            byClass.put(a.customerClass(), t);
        }
        Map<String, Estimate> thisCycle = byAccount(estimates.estimates(cycle));
        Map<String, Estimate> lastCycle = byAccount(estimates.estimates(cycle.minusMonths(1)));
        Map<String, List<String>> variants = tariffs.allVariants();
        Instant now = clock.instant();
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        BigDecimal[] total = {BigDecimal.ZERO.setScale(2)};
        bills.database().tx("bill run " + cycle, c -> {
            int done = 0;
            for (Account a : accounts) {
                Outcome o;
                try {
                    o = bill(c, a, period, byClass.get(a.customerClass()), variants.getOrDefault(a.accountId(), List.of()),
                            thisCycle, lastCycle, dryRun, rebill, now);
                } catch (TariffException e) {
                    throw new TariffException("bill run " + cycle + ": account " + a.accountId() + ": " + e.getMessage());
                }
                counts.merge(o.status(), 1, Integer::sum);
                if (o.status() == Status.NEW || o.status() == Status.REBILLED) {
                    total[0] = total[0].add(o.bill().orElseThrow().total());
                }
                listener.outcome(o);
                listener.progress(++done, accounts.size());
            }
            return null;
        });
        return new Report(cycle, period, dryRun, accounts.size(), Map.copyOf(counts), total[0]);
    }

    private Outcome bill(Connection c, Account a, BillPeriod period, Tariff tariff, List<String> variants,
                         Map<String, Estimate> thisCycle, Map<String, Estimate> lastCycle, boolean dryRun, boolean rebill,
                         Instant now) throws SQLException {
        if (a.meterId() == null || store.meter(a.meterId()).isEmpty()) {
            return new Outcome(a.accountId(), Status.NO_METER, Optional.empty(),
                    a.meterId() == null ? "no meter on the account" : "meter " + a.meterId() + " is not registered");
        }
        YearMonth cycle = period.cycle();
        Optional<Bill> current = bills.current(c, a.accountId(), cycle);
        Optional<Bill> previous = bills.current(c, a.accountId(), cycle.minusMonths(1));
        Optional<Estimate> previousEstimate = Optional.ofNullable(lastCycle.get(a.accountId()))
                .filter(e -> previous.map(p -> p.lines().stream().anyMatch(l -> l.kind() == LineKind.ESTIMATE)).orElse(false));
        AccountUsage u = usage.gather(a, period, Optional.ofNullable(thisCycle.get(a.accountId())), previousEstimate);
        Map<Integer, Long> positions = bills.positions(c, a.accountId(), cycle);
        List<BillLine> lines = withAdjustments(BillCalculator.lines(new BillCalculator.Input(period, tariff, variants, positions,
                u.items(tariff))), current);
        if (current.isPresent() && current.get().sameCharges(lines)) {
            return new Outcome(a.accountId(), Status.UNCHANGED, current, "version " + current.get().version() + " stands");
        }
        if (current.isPresent() && !rebill) {
            Bill old = current.get();
            return new Outcome(a.accountId(), Status.CHANGED, current, "data changed since version " + old.version()
                    + " (total " + old.total() + " CNY, now " + total(lines) + " CNY); --rebill issues a new version");
        }
        int version = current.map(b -> b.version() + 1).orElse(1);
        String reason = current.map(b -> "re-bill of version " + b.version() + " (bill " + b.billId() + ", total " + b.total()
                + " CNY): the consumption, estimates or tariff data changed").orElse("bill run " + cycle);
        Bill b = new Bill(null, a.accountId(), cycle, version, current.map(Bill::billId).orElse(null), reason, tariff.id(),
                variants, period.firstDay(), period.lastDay(), lines, now);
        if (!dryRun) b = bills.insert(c, b);
        return new Outcome(a.accountId(), current.isPresent() ? Status.REBILLED : Status.NEW, Optional.of(b), reason);
    }

    /** The current bill's dispute adjustments stay on every later version (they are not in the consumption data). */
    private static List<BillLine> withAdjustments(List<BillLine> computed, Optional<Bill> current) {
        List<BillLine> adjustments = current.map(b -> b.lines().stream().filter(l -> l.kind() == LineKind.ADJUSTMENT).toList())
                .orElse(List.of());
        if (adjustments.isEmpty()) return computed;
        List<BillLine> out = new java.util.ArrayList<>(computed);
        for (BillLine a : adjustments) out.add(a.renumbered(out.size() + 1));
        return out;
    }

    private static BigDecimal total(List<BillLine> lines) {
        return lines.stream().map(BillLine::amount).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
    }

    private static Map<String, Estimate> byAccount(List<Estimate> list) {
        Map<String, Estimate> m = new HashMap<>();
        list.forEach(e -> m.put(e.accountId(), e));
        return m;
    }
}
