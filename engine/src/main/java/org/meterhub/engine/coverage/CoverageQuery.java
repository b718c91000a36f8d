package org.meterhub.engine.coverage;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountsToRead;
import org.meterhub.engine.attempt.ReadAttemptLog;
import org.meterhub.engine.estimation.EstimationCycle;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.ReadingWindow;
import org.meterhub.engine.estimation.WorkItem;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The reading-coverage KPI of a cycle, from the store: the one query behind {@code meterhub coverage}
 * and {@code GET /api/v1/coverage}. Read only; nothing is written.
 *
 * <ul>
 *   <li>accounts to read: {@link AccountsToRead} (the seed's formula, every term shown);</li>
 *   <li>read: a real (non-estimated) reading of the account's meter in the cycle's window;
 *       estimated: not read, and an estimate of the cycle stands (retired estimates do not);
 *       missing: the rest (including accounts without a registered meter);</li>
 *   <li>monthly coverage = read ÷ accounts to read, against 98 %; quarterly coverage = accounts to
 *       read with a real reading in at least one window of the calendar quarter's cycles up to this
 *       one, against 100 %; estimates ÷ all households managed, against 2 %;</li>
 *   <li>attention: missing accounts (second visit), and commercial or industrial accounts to read
 *       without a real reading in the {@code commercial-read-every} (7 days) before {@code at}.</li>
 * </ul>
 */
public final class CoverageQuery {
    private final TimeSeriesStore store;
    private final JdbcEstimationRecords records;
    private final ReadAttemptLog attempts;
    private final CoverageSettings settings;
    private final Clock clock;

    public CoverageQuery(TimeSeriesStore store, JdbcEstimationRecords records, ReadAttemptLog attempts,
                         CoverageSettings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.records = Objects.requireNonNull(records, "records");
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ZoneId zone() {
        return store.rollupZone();
    }

    /** @param at the end of "this week" for commercial accounts; null: now, or the window's end if earlier */
    public CoverageReport cycle(YearMonth cycle, Instant at) {
        ReadingWindow w = new ReadingWindow(cycle, store.rollupZone());
        Instant now = clock.instant();
        Instant when = at != null ? at : (now.isBefore(w.end()) ? now : w.end());
        List<Account> all = store.accounts(null);
        AccountsToRead accounts = AccountsToRead.of(cycle, all);
        Set<String> estimated = new HashSet<>();
        records.estimates(cycle).forEach(e -> estimated.add(e.accountId()));
        Set<String> visits = new HashSet<>();
        records.workItems(cycle, WorkItem.Kind.SECOND_VISIT).forEach(i -> visits.add(i.accountId()));
        List<YearMonth> quarter = new ArrayList<>();
        for (YearMonth m = cycle.withMonth((cycle.getMonthValue() - 1) / 3 * 3 + 1); !m.isAfter(cycle); m = m.plusMonths(1)) {
            quarter.add(m);
        }
        int read = 0;
        int est = 0;
        int missing = 0;
        int readInQuarter = 0;
        List<CoverageReport.Attention> attention = new ArrayList<>();
        for (Account a : accounts.accounts()) {
            String meter = a.meterId();
            boolean registered = meter != null && store.meter(meter).isPresent();
            boolean isRead = registered && !actual(store.readings(meter, w.start(), w.end())).isEmpty();
            String cls = a.customerClass().code();
            if (isRead) {
                read++;
            } else if (estimated.contains(a.accountId())) {
                est++;
            } else {
                missing++;
                int failed = registered ? attempts.failed(meter, w.start(), w.end()) : 0;
                attention.add(new CoverageReport.Attention(a.accountId(), meter, cls, CoverageReport.Need.SECOND_VISIT,
                        registered ? lastRead(meter, w.start().minus(java.time.Duration.ofDays(366)), when) : Optional.empty(),
                        failed, visits.contains(a.accountId())));
            }
            if (isRead || readInOtherWindow(meter, registered, quarter, cycle)) readInQuarter++;
            if (a.customerClass() != CustomerClass.RESIDENTIAL) {
                Instant weekStart = when.minus(settings.commercialReadEvery());
                boolean readThisWeek = registered && !actual(store.readings(meter, weekStart, when)).isEmpty();
                if (!readThisWeek) {
                    attention.add(new CoverageReport.Attention(a.accountId(), meter, cls,
                            CoverageReport.Need.COMMERCIAL_NOT_READ_THIS_WEEK,
                            registered ? lastRead(meter, when.minus(java.time.Duration.ofDays(366)), when) : Optional.empty(),
                            registered ? attempts.failed(meter, weekStart, when) : 0, visits.contains(a.accountId())));
                }
            }
        }
        attention.sort(Comparator.comparing(CoverageReport.Attention::need)
                .thenComparing(CoverageReport.Attention::accountId));
        return new CoverageReport(w, settings, accounts, read, est, missing, quarter, readInQuarter,
                EstimationCycle.householdsManaged(all), when, attention);
    }

    private boolean readInOtherWindow(String meter, boolean registered, List<YearMonth> quarter, YearMonth cycle) {
        if (!registered) return false;
        for (YearMonth m : quarter) {
            if (m.equals(cycle)) continue;
            ReadingWindow o = new ReadingWindow(m, store.rollupZone());
            if (!actual(store.readings(meter, o.start(), o.end())).isEmpty()) return true;
        }
        return false;
    }

    private Optional<Instant> lastRead(String meter, Instant from, Instant to) {
        List<Reading> r = actual(store.readings(meter, from, to));
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(r.size() - 1).time());
    }

    private static List<Reading> actual(List<Reading> readings) {
        return readings.stream().filter(r -> r.source() != ReadingSource.ESTIMATED).toList();
    }
}
