package org.meterhub.engine.billing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.consumption.JdbcMeterExchanges;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.JdbcBalanceReports;
import org.meterhub.engine.store.Dialect;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Billing wired to a store: two connections of its own to the store's database, one for the
 * bills and tariffs (a bill run writes in one transaction) and one for the records it reads
 * (estimates, corrections, exchanges). Closing it closes those, not the store.
 */
public final class Billing implements AutoCloseable {
    private final SqlDatabase billsDb;
    private final SqlDatabase rulesDb;
    private final TimeSeriesStore store;
    private final JdbcBills bills;
    private final JdbcTariffs tariffs;
    private final JdbcStatements statements;
    private final JdbcMeterExchanges exchanges;
    private final JdbcEstimationRecords estimates;
    private final StoreUsage usage;
    private final UsagePages pages;
    private final AfterRunCheckpoint checkpoint;
    /** A bill run's readers: the rules connection's, and on PostgreSQL more, each on a connection of its own. */
    private final List<BillRun.Reader> readers = new ArrayList<>();
    private final List<SqlDatabase> readerDbs = new ArrayList<>();

    /**
     * Reader threads (and connections) of a bill run on PostgreSQL: the server reads that many pages at once
     * (issue 14, 1 000 000 accounts on 2 cores: 97 s with two readers, 114 s with three, whose backends evicted
     * each other's buffers). SQLite: one reader.
     */
    static final int PG_READERS = Integer.getInteger("meterhub.bill.readers", 2);

    private Billing(TimeSeriesStore store, SqlDatabase billsDb, SqlDatabase rulesDb) {
        this.store = store;
        this.billsDb = billsDb;
        this.rulesDb = rulesDb;
        this.bills = new JdbcBills(billsDb);
        this.tariffs = new JdbcTariffs(billsDb);
        this.statements = new JdbcStatements(billsDb);
        this.exchanges = new JdbcMeterExchanges(rulesDb);
        this.estimates = new JdbcEstimationRecords(rulesDb);
        this.usage = new StoreUsage(store, new JdbcCorrectionRepository(rulesDb), exchanges);
        this.pages = new UsagePages(rulesDb, store.rollupZone());
        this.checkpoint = new AfterRunCheckpoint(billsDb);
        readers.add(new BillRun.Reader(pages, rulesDb));
    }

    /** The readers beyond the first, on PostgreSQL: opened with Billing, so that a run does not wait for a connection. */
    private void openReaders(String url, int n) {
        for (int i = 1; i < n; i++) {
            SqlDatabase db = SqlDatabase.open(url);
            readerDbs.add(db);
            readers.add(new BillRun.Reader(new UsagePages(db, store.rollupZone()), db));
        }
    }

    /** @param url the store's JDBC URL (a file or a PostgreSQL database: an in-memory SQLite store is private to its connection) */
    public static Billing open(TimeSeriesStore store, String url) {
        Objects.requireNonNull(store, "store");
        if (SqlDatabase.isPrivateMemory(url)) {
            throw new IllegalArgumentException("billing needs a store file or database, not " + url);
        }
        SqlDatabase billsDb = SqlDatabase.open(batched(url));
        Billing b = null;
        try {
            b = new Billing(store, billsDb, SqlDatabase.open(url));
            if (billsDb.dialect() == Dialect.POSTGRESQL) b.openReaders(url, PG_READERS);
            return b;
        } catch (RuntimeException e) {
            if (b != null) b.close(); else billsDb.close();
            throw e;
        }
    }

    /** PostgreSQL: the driver sends a JDBC batch of inserts as multi-row inserts (a bill run writes pages of bills and lines). */
    private static String batched(String url) {
        if (!url.startsWith("jdbc:postgresql:") || url.contains("reWriteBatchedInserts")) return url;
        return url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
    }

    public JdbcBills bills() {
        return bills;
    }

    public JdbcTariffs tariffs() {
        return tariffs;
    }

    public JdbcMeterExchanges exchanges() {
        return exchanges;
    }

    public JdbcEstimationRecords estimates() {
        return estimates;
    }

    public JdbcStatements statements() {
        return statements;
    }

    /** The statement run of prepaid (IC-card) accounts. */
    public StatementRun statementRun(Clock clock) {
        return new StatementRun(bills, statements, tariffs, new JdbcBalanceReports(rulesDb), usage, pages, clock);
    }

    public BillRun run(Clock clock) {
        return new BillRun(store, bills, statements, tariffs, estimates, usage, readers, clock, false, BillRun.PAGE_SIZE, checkpoint);
    }

    /**
     * Waits until the last bill run's bills are checkpointed into the SQLite database file (the run has
     * committed them to the WAL before it returned; {@link AfterRunCheckpoint}). Immediate on PostgreSQL.
     */
    public void awaitCheckpoint() {
        checkpoint.await();
    }

    @Override
    public void close() {
        try {
            checkpoint.close();
            readerDbs.forEach(SqlDatabase::close);
            rulesDb.close();
        } finally {
            billsDb.close();
        }
    }
}
