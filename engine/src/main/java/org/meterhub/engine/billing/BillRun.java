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
import org.meterhub.engine.jdbc.SqlDatabase;
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
 * ({@link StoreUsage}'s rule records): the run keeps its transaction open while it reads. Page-wise, a
 * reader thread reads and prices the next pages on those other connections while the calling thread
 * compares and writes the current one (issue 14: both cores at work); listeners are called on the
 * calling thread, in account order, as before.
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
    /** The connection the reader thread reads earlier cycles' bills with: not the run's (its transaction writes). */
    private final SqlDatabase reads;
    private final Clock clock;
    private final boolean perAccount;
    private final int pageSize;
    private final AfterRunCheckpoint checkpoint;

    BillRun(TimeSeriesStore store, JdbcBills bills, JdbcStatements statements, JdbcTariffs tariffs, JdbcEstimationRecords estimates,
            StoreUsage usage, UsagePages pages, SqlDatabase reads, Clock clock, boolean perAccount, int pageSize,
            AfterRunCheckpoint checkpoint) {
        this.store = Objects.requireNonNull(store, "store");
        this.bills = Objects.requireNonNull(bills, "bills");
        this.statements = Objects.requireNonNull(statements, "statements");
        this.tariffs = Objects.requireNonNull(tariffs, "tariffs");
        this.estimates = Objects.requireNonNull(estimates, "estimates");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.reads = Objects.requireNonNull(reads, "reads");
        if (reads == bills.database()) throw new IllegalArgumentException("the reader's database must not be the run's");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (pageSize < 1) throw new IllegalArgumentException("page size must be positive: " + pageSize);
        this.perAccount = perAccount;
        this.pageSize = pageSize;
        this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
    }

    /**
     * The same run with the queries made per account (the bills, positions, rollups and readings of
     * each account on their own, each bill inserted alone): the peer the benchmark measures the
     * page-wise run against, kept so that the two can be compared on the same data.
     */
    public BillRun perAccountQueries() {
        return new BillRun(store, bills, statements, tariffs, estimates, usage, pages, reads, clock, true, pageSize, checkpoint);
    }

    BillRun pageSize(int size) {
        return new BillRun(store, bills, statements, tariffs, estimates, usage, pages, reads, clock, perAccount, size, checkpoint);
    }

    /** What a page of accounts needs from the store and the earlier bills, read with a few queries for the whole page. */
    private record Page(Set<String> registered, Set<String> prepaid, Set<String> estimatedBefore,
                        Map<String, Map<Integer, Long>> positions, Map<String, NavigableMap<LocalDate, Long>> rollups,
                        Map<String, UsagePages.ReadingSpan> readings, Set<String> gatheredAlone) {
    }

    /** What the whole run prices with: read once before the first page. */
    private record Setup(YearMonth cycle, BillPeriod period, Map<CustomerClass, Tariff> byClass, Map<String, Estimate> thisCycle,
                         Map<String, Estimate> lastCycle, Map<String, List<String>> variants, Set<String> gatheredAlone,
                         BillCalculator.Memo memo) {
    }

    /**
     * An account priced from its data, before it is compared with its current bill: its lines, or, for
     * an account that gets no bill (no meter, prepaid), its outcome.
     */
    private record Priced(Account account, Tariff tariff, List<String> variants, List<BillLine> lines, Outcome done) {
    }

    /** A page of accounts read and priced; {@code first}..{@code last} are its account ids. */
    private record PricedPage(String first, String last, List<Priced> accounts) {
    }

    /** Where the written side of a run takes its priced pages from, in account order; null after the last. */
    private interface PageSource extends AutoCloseable {
        PricedPage next() throws SQLException;

        @Override
        default void close() {
        }
    }

    public Report run(YearMonth cycle, boolean dryRun, boolean rebill, Listener listener) {
        BillPeriod period = new BillPeriod(cycle, usage.zone());
        Map<CustomerClass, Tariff> byClass = tariffsByClass(cycle, period, tariffs.book());
        Map<String, Estimate> thisCycle = byAccount(estimates.estimates(cycle));
        Map<String, Estimate> lastCycle = byAccount(estimates.estimates(cycle.minusMonths(1)));
        Map<String, List<String>> variants = tariffs.allVariants();
        Set<String> gatheredAlone = new HashSet<>(pages.exchangedInto(period.start(), period.end()));
        gatheredAlone.addAll(pages.corrected(period.start(), period.end()));
        Setup setup = new Setup(cycle, period, byClass, thisCycle, lastCycle, variants, gatheredAlone, new BillCalculator.Memo());
        int accounts = pages.count(cycle);
        Instant now = clock.instant();
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        BigDecimal[] total = {BigDecimal.ZERO.setScale(2)};
        // SQLite: the commit only appends to the WAL; the checkpoint of the run's bills follows on a thread of its own
        java.util.function.Supplier<Object> tx = () -> bills.database().tx("bill run " + cycle, c -> {
            int done = 0;
            try (PageSource source = perAccount ? inline(c, setup) : ahead(setup)) {
                for (PricedPage p = source.next(); p != null; p = source.next()) {
                    // the current bills are read in the run's own transaction, beside the writes they decide
                    Map<String, Bill> current = perAccount ? null : bills.currentPage(c, cycle, p.first(), p.last());
                    List<Outcome> outcomes = new ArrayList<>(p.accounts().size());
                    for (Priced x : p.accounts()) {
                        if (x.done() != null) {
                            outcomes.add(x.done());
                            continue;
                        }
                        String id = x.account().accountId();
                        Optional<Bill> cur = perAccount ? bills.current(c, id, cycle) : Optional.ofNullable(current.get(id));
                        outcomes.add(settle(c, x, cur, period, dryRun, rebill, now, perAccount));
                    }
                    if (!perAccount && !dryRun) outcomes = stored(c, cycle, p.first(), p.last(), outcomes);
                    for (Outcome o : outcomes) {
                        counts.merge(o.status(), 1, Integer::sum);
                        if (o.status() == Status.NEW || o.status() == Status.REBILLED) {
                            total[0] = total[0].add(o.bill().orElseThrow().total());
                        }
                        listener.outcome(o);
                        listener.progress(++done, Math.max(done, accounts));
                    }
                }
            }
            return null;
        });
        if (dryRun) tx.get(); else checkpoint.around(tx);
        return new Report(cycle, period, dryRun, Math.max(accounts, counts.values().stream().mapToInt(i -> i).sum()),
                Map.copyOf(counts), total[0]);
    }

    /** The per-account peer: each page read and priced on the calling thread, with the run's connection. */
    private PageSource inline(Connection c, Setup setup) {
        String[] after = {""};
        return () -> {
            PricedPage p = pricedPage(c, setup, after[0]);
            if (p != null) after[0] = p.last();
            return p;
        };
    }

    /**
     * The page-wise run: a reader thread reads the pages after the one being written, on its own
     * connections ({@link UsagePages}' and {@code reads}), so that reading page n + 1 overlaps pricing and
     * writing page n (two cores at work). A page is priced by whichever side has time: by the reader when
     * pages are already waiting in the queue, else by the writing thread (and always there when pricing
     * needs the store). A bounded queue holds at most {@link #AHEAD} pages
     * (memory stays flat); the reader's failure is thrown on the writing thread, in page order; a
     * run that stops (its failure, a listener's exception) stops the reader before it returns.
     */
    private PageSource ahead(Setup setup) {
        return new Ahead(setup);
    }

    /** Pages read ahead of the one being written. */
    static final int AHEAD = 2;

    private static final Object END = new Object();

    private final class Ahead implements PageSource {
        private final java.util.concurrent.BlockingQueue<Object> queue = new java.util.concurrent.ArrayBlockingQueue<>(AHEAD);
        private volatile boolean stopped;
        private final Thread reader;
        private boolean ended;
        private final Setup setup;

        Ahead(Setup setup) {
            this.setup = setup;
            reader = new Thread(() -> read(setup), "bill-run-reader " + setup.cycle());
            reader.setDaemon(true);
            reader.start();
        }

        private void read(Setup setup) {
            Setup own = new Setup(setup.cycle(), setup.period(), setup.byClass(), setup.thisCycle(), setup.lastCycle(),
                    setup.variants(), setup.gatheredAlone(), new BillCalculator.Memo()); // a memo is one thread's
            Object last = END;
            try {
                String after = "";
                while (!stopped) {
                    ReadPage p = readPage(setup, after);
                    if (p == null) break;
                    after = p.last();
                    // the writer has pages waiting: this thread has time to price this one too; else the writer prices it
                    put(queue.isEmpty() || usesStore(setup, p) ? p : priced(null, own, p));
                }
            } catch (SQLException | RuntimeException | Error e) {
                last = e;
            }
            if (!stopped) put(last);
        }

        private void put(Object o) {
            try {
                queue.put(o);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public PricedPage next() throws SQLException {
            if (ended) return null;
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bill run interrupted", e);
            }
            if (o == END) {
                ended = true;
                return null;
            }
            if (o instanceof SQLException e) {
                ended = true;
                throw e;
            }
            if (o instanceof RuntimeException e) {
                ended = true;
                throw e;
            }
            if (o instanceof Error e) {
                ended = true;
                throw e;
            }
            return o instanceof PricedPage p ? p : priced(null, setup, (ReadPage) o);
        }

        /** Stops the reader (it finishes the page it is reading) and waits for it: nothing reads once the run is over. */
        @Override
        public void close() {
            stopped = true;
            queue.clear(); // a reader blocked on a full queue puts its page and then sees the stop
            Join.uninterruptibly(reader);
        }
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

    /**
     * Reads the next page of accounts after {@code after} and prices them: page-wise with a few queries for
     * the whole page on the reader's connections ({@code c} null), or, for the per-account peer, account by
     * account on the run's connection {@code c}. Null when no account is left.
     */
    private PricedPage pricedPage(Connection c, Setup s, String after) throws SQLException {
        ReadPage r = readPage(s, after);
        return r == null ? null : priced(c, s, r);
    }

    /** A page of accounts and, page-wise, what they need from the store and earlier bills ({@code data} null for the peer). */
    private record ReadPage(String first, String last, List<Account> accounts, Page data) {
    }

    /** The next page of accounts after {@code after} with its data; null when no account is left. */
    private ReadPage readPage(Setup s, String after) {
        List<Account> page = pages.accounts(s.cycle(), after, pageSize);
        if (page.isEmpty()) return null;
        String first = page.get(0).accountId();
        String last = page.get(page.size() - 1).accountId();
        return new ReadPage(first, last, page, perAccount ? null : page(page, s.period(), first, last, s.gatheredAlone()));
    }

    /**
     * Whether pricing the page goes to the store (an estimate, a true-up, a meter exchanged or corrected):
     * such a page is priced on the run's thread only, so that the store is used by one thread.
     */
    private static boolean usesStore(Setup s, ReadPage r) {
        for (Account a : r.accounts()) {
            if (s.thisCycle().containsKey(a.accountId()) || s.lastCycle().containsKey(a.accountId())
                    || (a.meterId() != null && s.gatheredAlone().contains(a.meterId()))) {
                return true;
            }
        }
        return false;
    }

    private PricedPage priced(Connection c, Setup s, ReadPage r) throws SQLException {
        Page data = r.data();
        String first = r.first();
        String last = r.last();
        List<Priced> out = new ArrayList<>(r.accounts().size());
        for (Account a : r.accounts()) {
            Tariff t = s.byClass().get(a.customerClass());
            if (t == null) throw new TariffException("bill run " + s.cycle() + ": account " + a.accountId()
                    + " changed class during the run");
            try {
                out.add(price(c, a, s, t, data));
            } catch (TariffException e) {
                throw new TariffException("bill run " + s.cycle() + ": account " + a.accountId() + ": " + e.getMessage());
            }
        }
        return new PricedPage(first, last, out);
    }

    private Page page(List<Account> page, BillPeriod period, String first, String last, Set<String> gatheredAlone) {
        UsagePages.Meters meters = UsagePages.Meters.ofAccounts(first, last); // the page's meters, by its key range
        YearMonth cycle = period.cycle();
        // earlier cycles' bills: this run writes none of them, so they are read beside it, not in its transaction
        Set<String> estimatedBefore = reads.tx("estimated bills of a page", c -> bills.estimatedPage(c, cycle.minusMonths(1), first, last));
        Map<String, Map<Integer, Long>> positions = reads.tx("tier positions of a page", c -> positionsPage(c, cycle, first, last));
        return new Page(pages.registered(meters), pages.prepaidMeters(meters), estimatedBefore, positions,
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

    private Priced price(Connection c, Account a, Setup s, Tariff tariff, Page page) throws SQLException {
        List<String> variants = s.variants().getOrDefault(a.accountId(), List.of());
        boolean registered = a.meterId() != null
                && (page == null ? store.meter(a.meterId()).isPresent() : page.registered().contains(a.meterId()));
        if (!registered) {
            return new Priced(a, tariff, variants, null, new Outcome(a.accountId(), Status.NO_METER, Optional.empty(),
                    a.meterId() == null ? "no meter on the account" : "meter " + a.meterId() + " is not registered"));
        }
        boolean prepaid = page == null ? !pages.prepaidMeters(List.of(a.meterId())).isEmpty() : page.prepaid().contains(a.meterId());
        if (prepaid) {
            return new Priced(a, tariff, variants, null, new Outcome(a.accountId(), Status.PREPAID, Optional.empty(),
                    "prepaid (IC-card) meter " + a.meterId() + ": a statement, not a bill (meterhub statement run)"));
        }
        BillPeriod period = s.period();
        YearMonth cycle = period.cycle();
        String id = a.accountId();
        boolean estimatedBefore = page == null
                ? bills.current(c, id, cycle.minusMonths(1)).map(p -> p.lines().stream().anyMatch(l -> l.kind() == LineKind.ESTIMATE))
                        .orElse(false)
                : page.estimatedBefore().contains(id);
        Optional<Estimate> previousEstimate = Optional.ofNullable(s.lastCycle().get(id)).filter(e -> estimatedBefore);
        Optional<Estimate> estimate = Optional.ofNullable(s.thisCycle().get(id));
        AccountUsage u = page == null || previousEstimate.isPresent() || page.gatheredAlone().contains(a.meterId())
                ? usage.gather(a, period, estimate, previousEstimate)
                : usage.prefetched(a, period, estimate, page.rollups().get(a.meterId()), page.readings().get(a.meterId()));
        Map<Integer, Long> positions = page == null ? positions(c, id, cycle) : page.positions().getOrDefault(id, Map.of());
        List<BillLine> lines = BillCalculator.lines(new BillCalculator.Input(period, tariff, variants, positions, u.items(tariff)),
                s.memo());
        return new Priced(a, tariff, variants, lines, null);
    }

    /** The priced account against its current bill: unchanged, changed, or a new bill (written now with {@code insertNow}). */
    private Outcome settle(Connection c, Priced x, Optional<Bill> current, BillPeriod period, boolean dryRun, boolean rebill,
                           Instant now, boolean insertNow) throws SQLException {
        YearMonth cycle = period.cycle();
        String id = x.account().accountId();
        Tariff tariff = x.tariff();
        List<String> variants = x.variants();
        List<BillLine> lines = withAdjustments(x.lines(), current);
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
        if (!dryRun && insertNow) b = bills.insert(c, b);
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
