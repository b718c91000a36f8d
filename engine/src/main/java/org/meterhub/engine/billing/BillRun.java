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
    /**
     * The connections the page-wise run reads pages through, one reader thread each: the first is
     * {@code pages}/{@code reads}; on PostgreSQL more, so that the server reads several pages at once (both cores,
     * and one page's disk waits beside another's work). SQLite: one.
     */
    private final List<Reader> readers;

    /** What one reader thread reads a page through: the usage tables and the earlier bills (not the run's connection). */
    record Reader(UsagePages pages, SqlDatabase reads) {
        Reader {
            Objects.requireNonNull(pages, "pages");
            Objects.requireNonNull(reads, "reads");
        }
    }

    BillRun(TimeSeriesStore store, JdbcBills bills, JdbcStatements statements, JdbcTariffs tariffs, JdbcEstimationRecords estimates,
            StoreUsage usage, UsagePages pages, SqlDatabase reads, Clock clock, boolean perAccount, int pageSize,
            AfterRunCheckpoint checkpoint) {
        this(store, bills, statements, tariffs, estimates, usage, List.of(new Reader(pages, reads)), clock, perAccount, pageSize,
                checkpoint);
    }

    BillRun(TimeSeriesStore store, JdbcBills bills, JdbcStatements statements, JdbcTariffs tariffs, JdbcEstimationRecords estimates,
            StoreUsage usage, List<Reader> readers, Clock clock, boolean perAccount, int pageSize, AfterRunCheckpoint checkpoint) {
        if (readers.isEmpty()) throw new IllegalArgumentException("a bill run needs a reader");
        this.readers = List.copyOf(readers);
        UsagePages pages = this.readers.get(0).pages();
        SqlDatabase reads = this.readers.get(0).reads();
        this.store = Objects.requireNonNull(store, "store");
        this.bills = Objects.requireNonNull(bills, "bills");
        this.statements = Objects.requireNonNull(statements, "statements");
        this.tariffs = Objects.requireNonNull(tariffs, "tariffs");
        this.estimates = Objects.requireNonNull(estimates, "estimates");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.reads = Objects.requireNonNull(reads, "reads");
        for (Reader r : this.readers) {
            if (r.reads() == bills.database()) throw new IllegalArgumentException("the reader's database must not be the run's");
        }
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
        return new BillRun(store, bills, statements, tariffs, estimates, usage, readers, clock, true, pageSize, checkpoint);
    }

    BillRun pageSize(int size) {
        return new BillRun(store, bills, statements, tariffs, estimates, usage, readers, clock, perAccount, size, checkpoint);
    }

    /** The same run with only the first {@code n} of its readers (at least one). */
    BillRun readers(int n) {
        if (n < 1) throw new IllegalArgumentException("readers must be positive: " + n);
        return new BillRun(store, bills, statements, tariffs, estimates, usage, readers.subList(0, Math.min(n, readers.size())),
                clock, perAccount, pageSize, checkpoint);
    }

    /** How many reader threads the page-wise run reads with. */
    int readerCount() {
        return readers.size();
    }

    /** What a page of accounts needs from the store and the earlier bills, read with a few queries for the whole page. */
    private record Page(Set<String> registered, Set<String> prepaid, Set<String> estimatedBefore,
                        Map<String, Map<Integer, Long>> positions, Map<String, NavigableMap<LocalDate, Long>> rollups,
                        Map<String, UsagePages.ReadingSpan> readings, Set<String> gatheredAlone,
                        Map<String, List<UsagePages.Segment>> segments) {
        /**
         * The meter's usage as summed stretches ({@link UsagePages#segments}), or null when its days were read
         * (SQLite; an estimate or a tier threshold inside a stretch on PostgreSQL).
         */
        List<UsagePages.Segment> segmentsOf(String meter) {
            if (segments == null || rollups.containsKey(meter)) return null;
            return segments.getOrDefault(meter, List.of());
        }
    }

    /** What the whole run prices with: read once before the first page. */
    private record Setup(YearMonth cycle, BillPeriod period, Map<CustomerClass, Tariff> byClass, Map<String, Estimate> thisCycle,
                         Map<String, Estimate> lastCycle, Map<String, List<String>> variants, Set<String> gatheredAlone,
                         BillCalculator.Memo memo, List<Instant> segmentBounds) {
        Setup withMemo(BillCalculator.Memo m) {
            return new Setup(cycle, period, byClass, thisCycle, lastCycle, variants, gatheredAlone, m, segmentBounds);
        }
    }

    /**
     * The period's start, every start of a tariff version or tariff year inside it (of any tariff the run
     * prices with), and its end: the stretches the server sums a meter's days over ({@link UsagePages#segments}).
     */
    static List<Instant> segmentBounds(BillPeriod period, java.util.Collection<Tariff> tariffs) {
        List<Instant> out = new ArrayList<>();
        out.add(period.start());
        for (LocalDate d = period.firstDay().plusDays(1); !d.isAfter(period.lastDay()); d = d.plusDays(1)) {
            LocalDate day = d;
            LocalDate before = d.minusDays(1);
            if (tariffs.stream().anyMatch(t -> t.tariffYear(day) != t.tariffYear(before)
                    || t.versionOn(day).orElse(null) != t.versionOn(before).orElse(null))) {
                out.add(day.atStartOfDay(period.zone()).toInstant());
            }
        }
        out.add(period.end());
        return out;
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
        Setup setup = new Setup(cycle, period, byClass, thisCycle, lastCycle, variants, gatheredAlone, new BillCalculator.Memo(),
                segmentBounds(period, byClass.values()));
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
     * The page-wise run: reader threads read the pages after the one being written, each on its own
     * connections ({@link Reader}), so that reading page n + 1 overlaps pricing and writing page n, and on
     * PostgreSQL several pages are read at once (the server's work on both cores, one page's disk waits beside
     * another page's work). A reader claims the next page of accounts in key order (the keyset query, one
     * reader at a time) and enters it in the run's queue of pages in account order before it reads the page's
     * data; the writing thread takes the pages from that queue in order, each once it has been read. A page is
     * priced by whichever side has time: by its reader when several readers read or pages already wait in the
     * queue, else by the writing thread (and always there when pricing needs the store). The queue holds at
     * most {@link #AHEAD} pages beyond those being read (memory stays flat); a reader's failure is thrown on
     * the writing thread, in page order; a run that stops (its failure, a listener's exception) stops the
     * readers before it returns.
     */
    private PageSource ahead(Setup setup) {
        return new Ahead(setup);
    }

    /** Pages read ahead of the one being written. */
    static final int AHEAD = 2;

    /** A page in the run's queue: its reader completes it with the page, END or a failure. */
    private static final class Slot {
        private Object page; // guarded by this
        private boolean done; // guarded by this

        synchronized void complete(Object p) {
            page = p;
            done = true;
            notifyAll();
        }

        synchronized boolean isDone() {
            return done;
        }

        synchronized Object await() throws InterruptedException {
            while (!done) wait();
            return page;
        }
    }

    private static final Object END = new Object();

    private final class Ahead implements PageSource {
        private final java.util.concurrent.BlockingQueue<Slot> queue;
        private final Object claim = new Object(); // the keyset of pages: one reader claims the next page at a time
        private String after = ""; // guarded by claim
        private boolean exhausted; // guarded by claim
        private volatile boolean stopped;
        private final List<Thread> threads = new ArrayList<>();
        private boolean ended;
        private final Setup setup;

        Ahead(Setup setup) {
            this.setup = setup;
            queue = new java.util.concurrent.ArrayBlockingQueue<>(AHEAD + readers.size());
            for (int i = 0; i < readers.size(); i++) {
                Reader r = readers.get(i);
                String name = "bill-run-reader " + setup.cycle() + (i == 0 ? "" : " #" + (i + 1));
                Thread t = new Thread(() -> read(r), name);
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
        }

        private void read(Reader reader) {
            Setup own = setup.withMemo(new BillCalculator.Memo()); // a memo is one thread's
            boolean several = readers.size() > 1;
            while (true) {
                Slot slot = new Slot();
                List<Account> accounts;
                synchronized (claim) {
                    if (stopped || exhausted) return;
                    try {
                        accounts = reader.pages().accounts(setup.cycle(), after, pageSize);
                    } catch (RuntimeException | Error e) {
                        exhausted = true;
                        accounts = null;
                        slot.complete(e);
                    }
                    if (accounts != null && accounts.isEmpty()) {
                        exhausted = true;
                        slot.complete(END);
                    } else if (accounts != null) {
                        after = accounts.get(accounts.size() - 1).accountId();
                    }
                    if (!put(slot)) return;
                }
                if (slot.isDone()) return; // END or the failure, in page order
                Object out;
                try {
                    ReadPage p = readPage(reader, setup, accounts);
                    // the writer has pages waiting (or readers read side by side): this thread has time to price this one
                    boolean price = (several || queue.peek() != slot) && !usesStore(setup, p);
                    out = price ? priced(null, own, p) : p;
                } catch (SQLException | RuntimeException | Error e) {
                    out = e;
                    synchronized (claim) {
                        exhausted = true; // no page after a failed one is read
                    }
                }
                slot.complete(out);
            }
        }

        /** Puts the slot into the queue, waiting for room; false when the run stopped meanwhile. */
        private boolean put(Slot slot) {
            try {
                queue.put(slot);
                return !stopped;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public PricedPage next() throws SQLException {
            if (ended) return null;
            Object o;
            try {
                o = queue.take().await();
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

        /** Stops the readers (each finishes the page it is reading) and waits for them: nothing reads once the run is over. */
        @Override
        public void close() {
            stopped = true;
            queue.clear(); // a reader blocked on a full queue puts its page and then sees the stop
            threads.forEach(Join::uninterruptibly);
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
        List<Account> page = pages.accounts(s.cycle(), after, pageSize);
        return page.isEmpty() ? null : priced(c, s, readPage(readers.get(0), s, page));
    }

    /** A page of accounts and, page-wise, what they need from the store and earlier bills ({@code data} null for the peer). */
    private record ReadPage(String first, String last, List<Account> accounts, Page data) {
    }

    /** A page of accounts (not empty) with its data, read through {@code reader}. */
    private ReadPage readPage(Reader reader, Setup s, List<Account> page) {
        String first = page.get(0).accountId();
        String last = page.get(page.size() - 1).accountId();
        return new ReadPage(first, last, page, perAccount ? null : page(reader, s, page, first, last));
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

    private Page page(Reader reader, Setup s, List<Account> accounts, String first, String last) {
        UsagePages pages = reader.pages();
        SqlDatabase reads = reader.reads();
        BillPeriod period = s.period();
        UsagePages.Meters meters = UsagePages.Meters.ofAccounts(first, last); // the page's meters, by its key range
        YearMonth cycle = period.cycle();
        // earlier cycles' bills: this run writes none of them, so they are read beside it, not in its transaction
        // whether the previous cycle's bill charged an estimate matters only for an account with an estimate then
        boolean estimatesBefore = accounts.stream().anyMatch(a -> s.lastCycle().containsKey(a.accountId()));
        Set<String> estimatedBefore = !estimatesBefore ? Set.of()
                : reads.tx("estimated bills of a page", c -> bills.estimatedPage(c, cycle.minusMonths(1), first, last));
        Map<String, Map<Integer, Long>> positions = reads.tx("tier positions of a page", c -> positionsPage(c, cycle, first, last));
        UsagePages.MeterKinds kinds = pages.kinds(meters);
        Set<String> registered = kinds.registered();
        Set<String> prepaid = kinds.prepaid();
        Map<String, NavigableMap<LocalDate, Long>> days;
        Map<String, List<UsagePages.Segment>> segments = null;
        if (pages.sumsOnServer()) {
            // the server sums each meter's days per tariff version and year; the days themselves only for the few
            // meters whose pricing needs them: an estimate shares the days, or a tier threshold falls inside a stretch
            segments = pages.segments(meters, s.segmentBounds());
            List<String> needDays = new ArrayList<>();
            for (Account a : accounts) {
                String m = a.meterId();
                if (m == null || !registered.contains(m) || prepaid.contains(m) || s.gatheredAlone().contains(m)) continue;
                if (s.thisCycle().containsKey(a.accountId()) || crossesTier(s, a, positions, segments.get(m))) needDays.add(m);
            }
            days = needDays.isEmpty() ? new HashMap<>() : pages.rollups(UsagePages.Meters.of(needDays), period.start(), period.end());
            for (String m : needDays) days.putIfAbsent(m, new java.util.TreeMap<>());
        } else {
            days = pages.rollups(meters, period.start(), period.end());
        }
        return new Page(registered, prepaid, estimatedBefore, positions, days, pages.readings(meters, period.start(), period.end()),
                s.gatheredAlone(), segments);
    }

    /**
     * Whether pricing the account's summed stretches could differ from pricing its days: a tier threshold lies
     * strictly inside a stretch's climb (the day it is crossed starts a line and ends another). Walks the
     * stretches as {@link BillCalculator} walks items; when in doubt (a tariff or variant it cannot resolve,
     * which pricing then reports) the days are read.
     */
    private static boolean crossesTier(Setup s, Account a, Map<String, Map<Integer, Long>> positions,
                                       List<UsagePages.Segment> segments) {
        if (segments == null || segments.isEmpty()) return false;
        Tariff t = s.byClass().get(a.customerClass());
        if (t == null) return true;
        List<String> variants = s.variants().getOrDefault(a.accountId(), List.of());
        Map<Integer, Long> position = new HashMap<>(positions.getOrDefault(a.accountId(), Map.of()));
        try {
            for (UsagePages.Segment seg : segments) {
                int year = t.tariffYear(seg.firstDay());
                long[] bounds = t.requireVersionOn(seg.firstDay()).bounds(variants);
                long from = position.getOrDefault(year, 0L);
                long to = from + seg.litres();
                for (long b : bounds) {
                    if (from < b && b < to) return true;
                }
                position.put(year, to);
            }
        } catch (RuntimeException e) {
            return true;
        }
        return false;
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
        boolean alone = page == null || previousEstimate.isPresent() || page.gatheredAlone().contains(a.meterId());
        List<UsagePages.Segment> segments = alone || estimate.isPresent() ? null : page.segmentsOf(a.meterId());
        List<VolumeItem> items;
        if (segments != null) {
            items = segmentItems(a.meterId(), period, segments, page.readings().get(a.meterId()));
        } else {
            AccountUsage u = alone ? usage.gather(a, period, estimate, previousEstimate)
                    : usage.prefetched(a, period, estimate, page.rollups().get(a.meterId()), page.readings().get(a.meterId()));
            items = u.items(tariff);
        }
        Map<Integer, Long> positions = page == null ? positions(c, id, cycle) : page.positions().getOrDefault(id, Map.of());
        List<BillLine> lines = BillCalculator.lines(new BillCalculator.Input(period, tariff, variants, positions, items), s.memo());
        return new Priced(a, tariff, variants, lines, null);
    }

    /**
     * The usage items of a meter read as summed stretches: one item a stretch with litres (its first and last
     * day with consumption), as {@link AccountUsage#items} gives one a day, or its one zero item when the period
     * had none. No threshold is crossed inside a stretch (else its days were read), so the lines are the same:
     * volume, tier, first and last day, explanation.
     */
    private List<VolumeItem> segmentItems(String meter, BillPeriod period, List<UsagePages.Segment> segments,
                                          UsagePages.ReadingSpan readings) {
        String span = usage.spanText(readings, period.start(), period.end());
        if (segments.isEmpty()) {
            return List.of(VolumeItem.day(LineKind.USAGE, meter, period.firstDay(), 0, AccountUsage.noUsageText(meter, span)));
        }
        String source = AccountUsage.usageText(meter, span);
        List<VolumeItem> out = new ArrayList<>(segments.size());
        for (UsagePages.Segment seg : segments) {
            out.add(new VolumeItem(LineKind.USAGE, meter, seg.firstDay(), seg.lastDay(), seg.litres(), source));
        }
        return out;
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
