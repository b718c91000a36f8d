package org.meterhub.engine.estimation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * One estimation cycle over the store: the accounts to read (ignited, not ignited this month)
 * that have no real reading in the cycle's {@link ReadingWindow} go through {@link EstimationRun};
 * estimates and work items are written through {@link JdbcEstimationRecords} (unless dry run).
 * Accounts read in the window whose previous cycle was estimated get their {@link TrueUp}.
 *
 * <p>Facts taken from the store, per account:
 * <ul>
 *   <li>failed reads: window days that have passed without a reading (remote-read meters are asked
 *       daily, so a silent day is a failed read; the window must be three days old before anyone
 *       is estimated);</li>
 *   <li>last actual register: the latest non-estimated reading in the 62 days before the window,
 *       else the meter's commissioning register;</li>
 *   <li>previous month: the daily rollups of the month before the window (days with data);</li>
 *   <li>same period last year: the daily rollups from the last actual reading's day to the window's
 *       end, one year earlier (days with data);</li>
 *   <li>days to estimate: from the last actual reading's day to the window's end.</li>
 * </ul>
 * Runs are repeatable: an account already estimated in the cycle is left as it is (and counts
 * against the 2 % quota); work items are recorded once.
 */
public final class EstimationCycle {

    /** What happened to one account to read. */
    public enum Status {
        /** A real reading in the window: nothing to estimate. */
        READ,
        /** Estimated by an earlier run of this cycle; kept. */
        ALREADY_ESTIMATED,
        /** No meter on the account, or the meter is not registered: cannot be estimated or read. */
        NO_METER,
        /** Went through the estimation rules: see the decision. */
        DECIDED
    }

    public record AccountOutcome(String accountId, String meterId, Status status, Optional<Decision> decision,
                                 String note) {
        public AccountOutcome {
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(note, "note");
        }
    }

    public record Report(ReadingWindow window, boolean dryRun, int accountsToRead, long residentialAccounts,
                         int failedReadsSoFar, List<AccountOutcome> outcomes, List<TrueUp> trueUps) {
        public Report {
            outcomes = List.copyOf(outcomes);
            trueUps = List.copyOf(trueUps);
        }

        public List<Estimate> estimates() {
            return outcomes.stream().flatMap(o -> o.decision().stream())
                    .filter(Decision.Estimated.class::isInstance).map(d -> ((Decision.Estimated) d).estimate()).toList();
        }

        public List<Decision.Refused> refusals() {
            return outcomes.stream().flatMap(o -> o.decision().stream())
                    .filter(Decision.Refused.class::isInstance).map(Decision.Refused.class::cast).toList();
        }
    }

    private static final Duration LAST_ACTUAL_LOOKBACK = Duration.ofDays(62);

    private final TimeSeriesStore store;
    private final JdbcEstimationRecords records;
    private final EstimationSettings settings;
    private final Clock clock;

    public EstimationCycle(TimeSeriesStore store, JdbcEstimationRecords records, EstimationSettings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.records = Objects.requireNonNull(records, "records");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Report run(ReadingWindow w, boolean dryRun) {
        Instant now = clock.instant();
        List<Account> toRead = store.accounts(AccountState.IGNITED).stream().filter(a -> a.toRead(w.cycle())).toList();
        long residential = toRead.stream().filter(a -> a.customerClass() == CustomerClass.RESIDENTIAL).count();
        Set<String> estimated = new HashSet<>();
        records.estimates(w.cycle()).forEach(e -> estimated.add(e.accountId()));
        EstimationRun run = new EstimationRun(settings, w.cycle(), residential, estimated.size(), clock);
        int failedReads = failedReadsSoFar(w, now);
        List<AccountOutcome> outcomes = new ArrayList<>();
        List<TrueUp> trueUps = new ArrayList<>();
        for (Account a : toRead) {
            String meterId = a.meterId();
            Optional<MeterInfo> meter = meterId == null ? Optional.empty() : store.meter(meterId);
            if (meter.isEmpty()) {
                outcomes.add(new AccountOutcome(a.accountId(), meterId, Status.NO_METER, Optional.empty(),
                        meterId == null ? "no meter on the account" : "meter " + meterId + " is not registered"));
                continue;
            }
            if (estimated.contains(a.accountId())) {
                outcomes.add(new AccountOutcome(a.accountId(), meterId, Status.ALREADY_ESTIMATED, Optional.empty(),
                        "estimated by an earlier run of this cycle"));
                continue;
            }
            List<Reading> inWindow = actual(store.readings(meterId, w.start(), w.end()));
            if (!inWindow.isEmpty()) {
                Reading first = inWindow.get(0);
                String note = "read " + first.time();
                Optional<Estimate> previous = records.estimate(a.accountId(), w.cycle().minusMonths(1));
                if (previous.isPresent() && records.trueUp(a.accountId(), previous.get().cycle()).isEmpty()) {
                    TrueUp t = EstimationRun.trueUp(previous.get(), first.volumeL(), first.time(),
                            meter.get().registerCapacityL(), now);
                    if (!dryRun) records.save(t);
                    trueUps.add(t);
                    note += "; trued up the " + previous.get().cycle() + " estimate";
                }
                outcomes.add(new AccountOutcome(a.accountId(), meterId, Status.READ, Optional.empty(), note));
                continue;
            }
            Decision d = run.decide(facts(a, meter.get(), w, failedReads));
            if (!dryRun) records.record(d);
            outcomes.add(new AccountOutcome(a.accountId(), meterId, Status.DECIDED, Optional.of(d), ""));
        }
        return new Report(w, dryRun, toRead.size(), residential, failedReads, outcomes, trueUps);
    }

    /** Window days that have passed by {@code now}: each is a failed daily read of a silent meter. */
    static int failedReadsSoFar(ReadingWindow w, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, w.zone());
        LocalDate end = w.lastDay().plusDays(1);
        LocalDate upTo = today.isBefore(end) ? today : end;
        return (int) Math.max(0, ChronoUnit.DAYS.between(w.firstDay(), upTo));
    }

    private CycleAccount facts(Account a, MeterInfo meter, ReadingWindow w, int failedReads) {
        List<Reading> before = actual(store.readings(meter.meterId(), w.start().minus(LAST_ACTUAL_LOOKBACK), w.start()));
        long lastRegister = before.isEmpty() ? meter.baseReadingL() : before.get(before.size() - 1).volumeL();
        Instant lastTime = before.isEmpty() ? meter.baseTime() : before.get(before.size() - 1).time();
        LocalDate lastDay = LocalDate.ofInstant(lastTime, w.zone());
        LocalDate endDay = w.lastDay().plusDays(1);
        int cycleDays = (int) Math.max(1, ChronoUnit.DAYS.between(lastDay, endDay));
        Daily previousMonth = daily(meter.meterId(), w, w.firstDay().minusMonths(1), w.firstDay());
        Daily lastYear = daily(meter.meterId(), w, lastDay.minusYears(1), endDay.minusYears(1));
        AccountCategory category = AccountCategory.valueOf(a.customerClass().name());
        boolean estimatedBefore = records.estimate(a.accountId(), w.cycle().minusMonths(1)).isPresent();
        return new CycleAccount(a.accountId(), meter.meterId(), category, w.cycle(), failedReads, estimatedBefore,
                lastRegister, lastTime, meter.registerCapacityL(), previousMonth.litres(), previousMonth.days(),
                lastYear.days() > 0 ? OptionalLong.of(lastYear.litres()) : OptionalLong.empty(), lastYear.days(), cycleDays);
    }

    private record Daily(long litres, int days) {
    }

    private Daily daily(String meterId, ReadingWindow w, LocalDate from, LocalDate to) {
        if (!from.isBefore(to)) return new Daily(0, 0);
        List<RollupRow> rows = store.rollup(Step.DAY, meterId, from.atStartOfDay(w.zone()).toInstant(),
                to.atStartOfDay(w.zone()).toInstant());
        return new Daily(rows.stream().mapToLong(RollupRow::volumeL).sum(), rows.size());
    }

    /** Real readings only: an estimate in the readings table is not a read. */
    private static List<Reading> actual(List<Reading> readings) {
        return readings.stream().filter(r -> r.source() != ReadingSource.ESTIMATED).toList();
    }
}
