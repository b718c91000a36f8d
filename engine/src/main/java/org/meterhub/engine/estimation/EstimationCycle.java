package org.meterhub.engine.estimation;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.account.AccountsToRead;
import org.meterhub.engine.attempt.ReadAttemptLog;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * One estimation cycle over the store: the accounts to read ({@link AccountsToRead}) that have no
 * real reading in the cycle's {@link ReadingWindow} go through {@link EstimationRun}; estimates and
 * work items are written through {@link JdbcEstimationRecords} (unless dry run). Accounts read in
 * the window whose previous cycle was estimated get their {@link TrueUp}. An account estimated by an
 * earlier run and read since, in the same window, gets an {@link EstimateRetirement}: the reading is
 * billed and the estimate stops counting against the quota. Every account missed (neither read nor
 * estimated) gets a {@code SECOND_VISIT} work item besides any other follow-up.
 *
 * <p>Facts taken from the store, per account:
 * <ul>
 *   <li>failed reads: the meter's recorded failed read attempts in the window so far
 *       ({@link ReadAttemptLog}: failed polls of a remote meter, failed visits to a manual one),
 *       never calendar days;</li>
 *   <li>last actual register: the latest non-estimated reading in the 62 days before the window,
 *       else the meter's commissioning register;</li>
 *   <li>previous month: the daily rollups of the month before the window (days with data);</li>
 *   <li>same period last year: the daily rollups from the last actual reading's day to the window's
 *       end, one year earlier (days with data);</li>
 *   <li>days to estimate: from the last actual reading's day to the window's end.</li>
 * </ul>
 * The 2 % quota's base is every household managed: residential accounts on the books that are not
 * removed ({@link #householdsManaged}), not only the accounts to read (domain rules).
 * Runs are repeatable: an account already estimated in the cycle and still unread is left as it is
 * (and counts against the quota); work items and retirements are recorded once.
 */
public final class EstimationCycle {

    /** What happened to one account to read. */
    public enum Status {
        /** A real reading in the window: nothing to estimate. */
        READ,
        /** Estimated by an earlier run of this cycle and still unread; kept. */
        ALREADY_ESTIMATED,
        /** Estimated by an earlier run, then read in the window: the estimate is retired, the reading billed. */
        ESTIMATE_RETIRED,
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

    /**
     * @param householdsManaged the quota's base: residential accounts managed (not removed)
     * @param allowedEstimates  floor(2 % × households managed)
     */
    public record Report(ReadingWindow window, boolean dryRun, AccountsToRead accounts, long householdsManaged,
                         long allowedEstimates, List<AccountOutcome> outcomes, List<TrueUp> trueUps,
                         List<EstimateRetirement> retirements, List<WorkItem> secondVisits) {
        public Report {
            outcomes = List.copyOf(outcomes);
            trueUps = List.copyOf(trueUps);
            retirements = List.copyOf(retirements);
            secondVisits = List.copyOf(secondVisits);
        }

        public int accountsToRead() {
            return accounts.toRead();
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
    private final ReadAttemptLog attempts;
    private final EstimationSettings settings;
    private final Clock clock;

    public EstimationCycle(TimeSeriesStore store, JdbcEstimationRecords records, ReadAttemptLog attempts,
                           EstimationSettings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.records = Objects.requireNonNull(records, "records");
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Report run(ReadingWindow w, boolean dryRun) {
        Instant now = clock.instant();
        List<Account> all = store.accounts(null);
        AccountsToRead accounts = AccountsToRead.of(w.cycle(), all);
        long households = householdsManaged(all);
        Set<String> estimated = new HashSet<>();
        records.estimates(w.cycle()).forEach(e -> estimated.add(e.accountId()));
        Set<String> retired = new HashSet<>();
        records.retirements(w.cycle()).forEach(r -> retired.add(r.accountId()));
        List<AccountOutcome> outcomes = new ArrayList<>();
        List<TrueUp> trueUps = new ArrayList<>();
        List<EstimateRetirement> retirements = new ArrayList<>();
        List<WorkItem> secondVisits = new ArrayList<>();
        Map<String, Optional<MeterInfo>> meters = new HashMap<>();
        Map<String, List<Reading>> read = new HashMap<>();
        // First the accounts read in the window: an estimate of theirs is retired before anyone else
        // is decided, so the quota it held is free for this run.
        for (Account a : accounts.accounts()) {
            Optional<MeterInfo> meter = a.meterId() == null ? Optional.empty() : store.meter(a.meterId());
            meters.put(a.accountId(), meter);
            if (meter.isEmpty()) continue;
            List<Reading> inWindow = actual(store.readings(a.meterId(), w.start(), w.end()));
            read.put(a.accountId(), inWindow);
            if (!inWindow.isEmpty() && estimated.remove(a.accountId())) {
                Reading last = inWindow.get(inWindow.size() - 1);
                EstimateRetirement r = new EstimateRetirement(a.accountId(), w.cycle(), a.meterId(), last.time(),
                        last.volumeL(), "real reading " + last.time() + " in the window after the estimate", now);
                if (!dryRun) records.save(r);
                retirements.add(r);
                retired.add(a.accountId());
            }
        }
        EstimationRun run = new EstimationRun(settings, w.cycle(), households, estimated.size(), clock);
        for (Account a : accounts.accounts()) {
            String meterId = a.meterId();
            Optional<MeterInfo> meter = meters.get(a.accountId());
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
            List<Reading> inWindow = read.get(a.accountId());
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
                boolean retiredNow = retired.contains(a.accountId());
                if (retiredNow) {
                    note = "read " + inWindow.get(inWindow.size() - 1).time() + "; this cycle's estimate retired (the reading"
                            + " is billed; the quota is free again)";
                }
                outcomes.add(new AccountOutcome(a.accountId(), meterId, retiredNow ? Status.ESTIMATE_RETIRED : Status.READ,
                        Optional.empty(), note));
                continue;
            }
            int failed = attempts.failed(meterId, w.start(), now.isBefore(w.end()) ? now : w.end());
            Decision d = run.decide(facts(a, meter.get(), w, failed));
            if (!dryRun) records.record(d);
            if (d instanceof Decision.Refused r) {
                // missed so far this cycle: a second visit or contact (seed), whatever else is owed
                WorkItem visit = r.followUp().filter(f -> f.kind() == WorkItem.Kind.SECOND_VISIT)
                        .orElse(new WorkItem(a.accountId(), meterId, w.cycle(), WorkItem.Kind.SECOND_VISIT,
                                "not read in the window so far (" + failed + " failed attempts recorded): " + r.reason(), now));
                if (!dryRun && visit != r.followUp().orElse(null)) records.save(visit);
                secondVisits.add(visit);
            }
            outcomes.add(new AccountOutcome(a.accountId(), meterId, Status.DECIDED, Optional.of(d),
                    failed + " failed read attempts recorded in the window"));
        }
        return new Report(w, dryRun, accounts, households, run.allowed(), outcomes, trueUps, retirements, secondVisits);
    }

    /**
     * The 2 % quota's base (domain rules: "of all households managed", not of the accounts to read):
     * residential accounts on the books, in any state except removed.
     */
    public static long householdsManaged(List<Account> all) {
        return all.stream().filter(a -> a.customerClass() == CustomerClass.RESIDENTIAL)
                .filter(a -> a.state() != AccountState.REMOVED).count();
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
