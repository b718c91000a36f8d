package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meterhub.engine.account.Account;
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
    public enum Status { NEW, REBILLED, UNCHANGED, CHANGED, NO_METER, PREPAID }

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

    /** Accounts per page: bounded memory, and few enough query parameters for SQLite and PostgreSQL. */
    static final int PAGE_SIZE = 1000;

    private final TimeSeriesStore store;
    private final JdbcBills bills;
    private final JdbcStatements statements;
    private final JdbcTariffs tariffs;
    private final JdbcEstimationRecords estimates;
    private final StoreUsage usage;
    private final UsagePages pages;
    private final Clock clock;
    private final boolean perAccount;
    private final int pageSize;

    BillRun(TimeSeriesStore store, JdbcBills bills, JdbcStatements statements, JdbcTariffs tariffs, JdbcEstimationRecords estimates,
            StoreUsage usage, UsagePages pages, Clock clock, boolean perAccount, int pageSize) {
        this.store = Objects.requireNonNull(store, "store");
        this.bills = Objects.requireNonNull(bills, "bills");
        this.statements = Objects.requireNonNull(statements, "statements");
        this.tariffs = Objects.requireNonNull(tariffs, "tariffs");
        this.estimates = Objects.requireNonNull(estimates, "estimates");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (pageSize < 1) throw new IllegalArgumentException("page size must be positive: " + pageSize);
        this.perAccount = perAccount;
        this.pageSize = pageSize;
    }

    /**
     * The same run with the queries made per account (the bills, positions, rollups and readings of
     * each account on their own, each bill inserted alone): the peer the benchmark measures the
     * page-wise run against, kept so that the two can be compared on the same data.
     */
    public BillRun perAccountQueries() {
        return new BillRun(store, bills, statements, tariffs, estimates, usage, pages, clock, true, pageSize);
    }

    BillRun pageSize(int size) {
        return new BillRun(store, bills, statements, tariffs, estimates, usage, pages, clock, perAccount, size);
    }

    /** What a page of accounts needs from the store and the earlier bills, read with a few queries for the whole page. */
    private record Page(Set<String> registered, Set<String> prepaid, Map<String, Bill> current, Set<String> estimatedBefore,
                        Map<String, Map<Integer, Long>> positions, Map<String, NavigableMap<LocalDate, Long>> rollups,
                        Map<String, UsagePages.ReadingSpan> readings, Set<String> gatheredAlone) {
    }

    public Report run(YearMonth cycle, boolean dryRun, boolean rebill, Listener listener) {
        BillPeriod period = new BillPeriod(cycle, usage.zone());
        Map<CustomerClass, Tariff> byClass = tariffsByClass(cycle, period, tariffs.book());
        Map<String, Estimate> thisCycle = byAccount(estimates.estimates(cycle));
        Map<String, Estimate> lastCycle = byAccount(estimates.estimates(cycle.minusMonths(1)));
        Map<String, List<String>> variants = tariffs.allVariants();
        Set<String> gatheredAlone = new HashSet<>(pages.exchangedInto(period.start(), period.end()));
        gatheredAlone.addAll(pages.corrected(period.start(), period.end()));
        int accounts = pages.count(cycle);
        Instant now = clock.instant();
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        BigDecimal[] total = {BigDecimal.ZERO.setScale(2)};
        bills.database().tx("bill run " + cycle, c -> {
            int done = 0;
            String after = "";
            while (true) {
                List<Account> page = pages.accounts(cycle, after, pageSize);
                if (page.isEmpty()) break;
                String first = page.get(0).accountId();
                after = page.get(page.size() - 1).accountId();
                Page data = perAccount ? null : page(c, page, period, first, after, gatheredAlone);
                List<Outcome> outcomes = new ArrayList<>(page.size());
                for (Account a : page) {
                    Tariff t = byClass.get(a.customerClass());
                    if (t == null) throw new TariffException("bill run " + cycle + ": account " + a.accountId()
                            + " changed class during the run");
                    try {
                        outcomes.add(bill(c, a, period, t, variants.getOrDefault(a.accountId(), List.of()), thisCycle, lastCycle,
                                dryRun, rebill, now, data));
                    } catch (TariffException e) {
                        throw new TariffException("bill run " + cycle + ": account " + a.accountId() + ": " + e.getMessage());
                    }
                }
                if (data != null && !dryRun) outcomes = stored(c, cycle, first, after, outcomes);
                for (Outcome o : outcomes) {
                    counts.merge(o.status(), 1, Integer::sum);
                    if (o.status() == Status.NEW || o.status() == Status.REBILLED) {
                        total[0] = total[0].add(o.bill().orElseThrow().total());
                    }
                    listener.outcome(o);
                    listener.progress(++done, Math.max(done, accounts));
                }
            }
            return null;
        });
        return new Report(cycle, period, dryRun, Math.max(accounts, counts.values().stream().mapToInt(i -> i).sum()),
                Map.copyOf(counts), total[0]);
    }

    /** Every class among the accounts to read has a tariff with a version on the period's first day, before anything is priced. */
    private Map<CustomerClass, Tariff> tariffsByClass(YearMonth cycle, BillPeriod period, TariffBook book) {
        Map<CustomerClass, Tariff> byClass = new EnumMap<>(CustomerClass.class);
        pages.classes(cycle).forEach((cls, example) -> {
            Tariff t = book.forClass(cls).orElseThrow(() -> new TariffException("bill run " + cycle
                    + ": no tariff for " + cls.name().toLowerCase() + " accounts (e.g. " + example
                    + "); load one with meterhub tariff load"));
            if (t.versionOn(period.firstDay()).isEmpty()) {
                throw new TariffException("bill run " + cycle + ": no version of tariff " + t.id() + " covers "
                        + period.firstDay() + ".." + period.lastDay() + " (its first version is from "
                        + t.versions().get(0).validFrom() + ")");
            }
            byClass.put(cls, t);
        });
        return byClass;
    }

    private Page page(Connection c, List<Account> page, BillPeriod period, String first, String last, Set<String> gatheredAlone)
            throws SQLException {
        List<String> meters = page.stream().map(Account::meterId).filter(Objects::nonNull).distinct().toList();
        YearMonth cycle = period.cycle();
        return new Page(pages.registered(meters), pages.prepaidMeters(meters), bills.currentPage(c, cycle, first, last),
                bills.estimatedPage(c, cycle.minusMonths(1), first, last), positionsPage(c, cycle, first, last),
                pages.rollups(meters, period.start(), period.end()), pages.readings(meters, period.start(), period.end()),
                gatheredAlone);
    }

    /**
     * The tariff-year positions of a page's accounts: the litres of their earlier bills and of their
     * earlier prepaid statements (an account that was prepaid earlier in the year climbed the same tiers).
     */
    private Map<String, Map<Integer, Long>> positionsPage(Connection c, YearMonth cycle, String first, String last)
            throws SQLException {
        Map<String, Map<Integer, Long>> m = bills.positionsPage(c, cycle, first, last);
        statements.positionsPage(c, cycle, first, last).forEach((account, years) ->
                years.forEach((year, litres) -> m.computeIfAbsent(account, k -> new HashMap<>()).merge(year, litres, Long::sum)));
        return m;
    }

    /** {@link #positionsPage} of one account. */
    private Map<Integer, Long> positions(Connection c, String accountId, YearMonth cycle) throws SQLException {
        Map<Integer, Long> m = new HashMap<>(bills.positions(c, accountId, cycle));
        statements.positions(c, accountId, cycle).forEach((year, litres) -> m.merge(year, litres, Long::sum));
        return m;
    }

    /** Writes the page's new bills in one batch; the outcomes then carry the stored bills (with ids). */
    private List<Outcome> stored(Connection c, YearMonth cycle, String first, String last, List<Outcome> outcomes)
            throws SQLException {
        List<Bill> fresh = outcomes.stream().filter(o -> o.status() == Status.NEW || o.status() == Status.REBILLED)
                .map(o -> o.bill().orElseThrow()).toList();
        Map<String, Bill> ids = new HashMap<>();
        for (Bill b : bills.insertPage(c, cycle, first, last, fresh)) ids.put(b.accountId(), b);
        if (ids.isEmpty()) return outcomes;
        List<Outcome> out = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            Bill b = ids.get(o.accountId());
            boolean written = o.status() == Status.NEW || o.status() == Status.REBILLED;
            out.add(written ? new Outcome(o.accountId(), o.status(), Optional.of(b), o.note()) : o);
        }
        return out;
    }

    private Outcome bill(Connection c, Account a, BillPeriod period, Tariff tariff, List<String> variants,
                         Map<String, Estimate> thisCycle, Map<String, Estimate> lastCycle, boolean dryRun, boolean rebill,
                         Instant now, Page page) throws SQLException {
        boolean registered = a.meterId() != null
                && (page == null ? store.meter(a.meterId()).isPresent() : page.registered().contains(a.meterId()));
        if (!registered) {
            return new Outcome(a.accountId(), Status.NO_METER, Optional.empty(),
                    a.meterId() == null ? "no meter on the account" : "meter " + a.meterId() + " is not registered");
        }
        boolean prepaid = page == null ? !pages.prepaidMeters(List.of(a.meterId())).isEmpty() : page.prepaid().contains(a.meterId());
        if (prepaid) {
            return new Outcome(a.accountId(), Status.PREPAID, Optional.empty(),
                    "prepaid (IC-card) meter " + a.meterId() + ": a statement, not a bill (meterhub statement run)");
        }
        YearMonth cycle = period.cycle();
        String id = a.accountId();
        Optional<Bill> current = page == null ? bills.current(c, id, cycle) : Optional.ofNullable(page.current().get(id));
        boolean estimatedBefore = page == null
                ? bills.current(c, id, cycle.minusMonths(1)).map(p -> p.lines().stream().anyMatch(l -> l.kind() == LineKind.ESTIMATE))
                        .orElse(false)
                : page.estimatedBefore().contains(id);
        Optional<Estimate> previousEstimate = Optional.ofNullable(lastCycle.get(id)).filter(e -> estimatedBefore);
        Optional<Estimate> estimate = Optional.ofNullable(thisCycle.get(id));
        AccountUsage u = page == null || previousEstimate.isPresent() || page.gatheredAlone().contains(a.meterId())
                ? usage.gather(a, period, estimate, previousEstimate)
                : usage.prefetched(a, period, estimate, page.rollups().get(a.meterId()), page.readings().get(a.meterId()));
        Map<Integer, Long> positions = page == null ? positions(c, id, cycle) : page.positions().getOrDefault(id, Map.of());
        List<BillLine> lines = withAdjustments(BillCalculator.lines(new BillCalculator.Input(period, tariff, variants, positions,
                u.items(tariff))), current);
        if (current.isPresent() && current.get().sameCharges(lines)) {
            return new Outcome(id, Status.UNCHANGED, current, "version " + current.get().version() + " stands");
        }
        if (current.isPresent() && !rebill) {
            Bill old = current.get();
            return new Outcome(id, Status.CHANGED, current, "data changed since version " + old.version()
                    + " (total " + old.total() + " CNY, now " + total(lines) + " CNY); --rebill issues a new version");
        }
        int version = current.map(b -> b.version() + 1).orElse(1);
        String reason = current.map(b -> "re-bill of version " + b.version() + " (bill " + b.billId() + ", total " + b.total()
                + " CNY): the consumption, estimates or tariff data changed").orElse("bill run " + cycle);
        Bill b = new Bill(null, id, cycle, version, current.map(Bill::billId).orElse(null), reason, tariff.id(),
                variants, period.firstDay(), period.lastDay(), lines, now);
        if (!dryRun && page == null) b = bills.insert(c, b);
        return new Outcome(id, current.isPresent() ? Status.REBILLED : Status.NEW, Optional.of(b), reason);
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
