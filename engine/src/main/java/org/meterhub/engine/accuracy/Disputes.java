package org.meterhub.engine.accuracy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meterhub.engine.accuracy.DisputeEvent.Kind;
import org.meterhub.engine.billing.Bill;
import org.meterhub.engine.billing.BillCalculator;
import org.meterhub.engine.billing.BillLine;
import org.meterhub.engine.billing.JdbcBills;
import org.meterhub.engine.billing.LineKind;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.lifecycle.GasType;
import org.meterhub.engine.lifecycle.JdbcMeterLifecycle;
import org.meterhub.engine.lifecycle.LifecycleException;
import org.meterhub.engine.lifecycle.LifecycleRules;
import org.meterhub.engine.lifecycle.MeterRecord;
import org.meterhub.engine.lifecycle.MeterState;

/**
 * The accuracy dispute procedure of seed 000, ch. 9, as a case of dated events (docs/accuracy.md):
 * request → new meter fitted at once (past service life) or deposit and test fee paid and a spare
 * fitted → test result → verdict. Within the limits the customer's fee is kept and the deposit is
 * returned when the original is refitted, forfeited when the customer keeps the spare. Outside them
 * the utility pays the fee, the deposit is returned, the spare stays free, and the bills of the
 * months before the request are re-billed by the measured error as new bill versions with one
 * {@link LineKind#ADJUSTMENT} per original line (same tariff version, tier and price). Each step is
 * one transaction: its events and re-bills are written together or not at all.
 */
public final class Disputes {
    private final SqlDatabase db;
    private final AccuracyRules rules;
    private final Clock clock;
    private final JdbcDisputes cases;
    private final JdbcAccuracyTests tests;
    private final JdbcBills bills;
    private final LifecycleRules life;
    private final JdbcMeterLifecycle lifecycle;

    public Disputes(SqlDatabase db, AccuracyRules rules, Clock clock) {
        this(db, rules, LifecycleRules.DEFAULTS, clock);
    }

    /** @param life the service-life rules, checked against the meters' lifecycle records where they exist */
    public Disputes(SqlDatabase db, AccuracyRules rules, LifecycleRules life, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.life = Objects.requireNonNull(life, "life");
        this.lifecycle = new JdbcMeterLifecycle(db);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cases = new JdbcDisputes(db);
        this.tests = new JdbcAccuracyTests(db);
        this.bills = new JdbcBills(db);
    }

    public JdbcDisputes cases() {
        return cases;
    }

    /**
     * Opens a case. Past its service life the disputed meter is replaced by a new meter at once
     * ({@code fittedMeter}) and no deposit or fee is asked; otherwise the deposit and test fee are
     * recorded as paid and {@code fittedMeter} is the spare.
     */
    public DisputeCase open(String accountId, String meterId, LocalDate requested, boolean pastServiceLife, String fittedMeter) {
        require(accountId, "--account");
        require(meterId, "--meter");
        require(fittedMeter, pastServiceLife ? "--new-meter" : "--spare");
        if (fittedMeter.equals(meterId)) throw new AccuracyException("the meter fitted must not be the disputed meter " + meterId);
        Instant now = clock.instant();
        return db.tx("open dispute", c -> {
            for (DisputeCase d : openCases(c, meterId)) {
                throw new AccuracyException("meter " + meterId + " already has an open dispute (case " + d.caseId() + ", " + d.state() + ")");
            }
            checkRecords(c, meterId, requested, pastServiceLife, fittedMeter);
            long id = cases.insertCase(c, accountId, meterId, requested, pastServiceLife, now);
            String why = "dispute case " + id;
            move(c, meterId, requested, why + ": removed for its test", now, MeterState.REMOVED, MeterState.UNDER_TEST);
            move(c, fittedMeter, requested, why + ": fitted " + (pastServiceLife ? "as the new meter" : "as the spare") + " for " + meterId, now,
                    MeterState.ISSUED, MeterState.INSTALLED);
            Steps s = new Steps(c, id, 0, requested, now);
            s.add(Kind.REQUESTED, null, meterId, null, null, "account " + accountId + " asks for meter " + meterId + " to be tested");
            if (pastServiceLife) {
                s.add(Kind.NEW_METER_FITTED, null, fittedMeter, null, null, "meter " + meterId + " is past its service life: new meter "
                        + fittedMeter + " fitted at once and used for two reading cycles; " + meterId + " goes to the quality bureau");
            } else {
                s.add(Kind.DEPOSIT_PAID, rules.deposit(), null, null, null, "spare-meter deposit paid by the customer");
                s.add(Kind.TEST_FEE_PAID, rules.testFee(), null, null, null, "test fee paid by the customer (refunded if the meter is outside the limits)");
                s.add(Kind.SPARE_FITTED, null, fittedMeter, null, null, "spare meter " + fittedMeter + " fitted; " + meterId
                        + " goes to the quality bureau");
            }
            return cases.find(c, id).orElseThrow();
        });
    }

    /** Records the test of the disputed meter and its verdict, with everything the verdict settles. */
    public DisputeCase testResult(long caseId, long testId, LocalDate day) {
        Instant now = clock.instant();
        return db.tx("dispute " + caseId + " test result", c -> {
            DisputeCase d = inState(c, caseId, DisputeCase.State.AWAITING_TEST, "a test result");
            AccuracyTest t = tests.test(c, testId).orElseThrow(() -> new AccuracyException("no accuracy test " + testId
                    + "; import it with meterhub accuracy import FILE"));
            if (!t.meterId().equals(d.meterId())) {
                throw new AccuracyException("test " + testId + " is of meter " + t.meterId() + ", not the disputed meter " + d.meterId());
            }
            if (t.testDate().isBefore(d.requestedOn())) {
                throw new AccuracyException("test " + testId + " (" + t.testDate() + ") is before the request (" + d.requestedOn() + ")");
            }
            Steps s = steps(c, d, day, now);
            AccuracyVerdict v = AccuracyVerdict.judge(t, rules);
            s.add(Kind.TEST_RESULT, null, null, testId, null, "test " + testId + " on " + t.testDate() + " at " + t.lab() + ": " + v.summary());
            if (v.within()) {
                s.add(Kind.WITHIN_LIMITS, null, null, null, null, "the meter measures within the legal limit; bills stand");
                if (d.pastServiceLife()) {
                    s.add(Kind.CLOSED, null, null, null, null, "past service life: the new meter stays; outcome discussed with the customer");
                } else {
                    s.add(Kind.FEE_CHARGED_TO_CUSTOMER, d.paid(Kind.TEST_FEE_PAID), null, null, null, "the customer pays the test fee");
                }
            } else {
                BigDecimal error = v.rebillErrorPercent(rules);
                s.add(Kind.OUTSIDE_LIMITS, null, null, null, null, "re-bill by " + AccuracyVerdict.signed(error) + " % ("
                        + rules.rebillError().name().toLowerCase().replace('_', '-') + "), " + rules.errorFormula().shown());
                if (!d.pastServiceLife()) {
                    s.add(Kind.FEE_PAID_BY_UTILITY, d.paid(Kind.TEST_FEE_PAID), null, null, null, "the utility pays the test fee; refunded to the customer");
                    s.add(Kind.DEPOSIT_RETURNED, d.paid(Kind.DEPOSIT_PAID), null, null, null, "spare-meter deposit returned");
                    s.add(Kind.SPARE_FREE, null, d.fittedMeter(), null, null, "spare meter " + d.fittedMeter() + " stays, free of charge");
                }
                for (YearMonth cycle : rebillCycles(d.requestedOn(), rules.rebillMonths())) {
                    Optional<Bill> current = bills.current(c, d.accountId(), cycle);
                    if (current.isEmpty()) {
                        s.add(Kind.REBILLED, BigDecimal.ZERO.setScale(2), null, null, null, "cycle " + cycle + ": no bill, nothing to re-bill");
                        continue;
                    }
                    Bill old = current.get();
                    String why = "accuracy dispute case " + caseId + ": meter " + d.meterId() + " measured " + AccuracyVerdict.signed(error)
                            + " % (test " + testId + ", " + t.testDate() + ")";
                    List<BillLine> adj = adjustments(old, d.meterId(), error, rules.errorFormula(), why);
                    BigDecimal diff = adj.stream().map(BillLine::amount).reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
                    if (adj.isEmpty()) {
                        s.add(Kind.REBILLED, diff, null, null, old.billId(), "cycle " + cycle + ": no volume of meter " + d.meterId()
                                + " on bill " + old.billId() + "; nothing to re-bill");
                        continue;
                    }
                    Bill nb = bills.rebill(c, old, adj, why + ": re-bill of version " + old.version() + " (bill " + old.billId() + ", total "
                            + old.total() + " CNY) by " + rules.errorFormula().shown() + "; " + direction(diff), now);
                    s.add(Kind.REBILLED, diff, null, null, nb.billId(), "cycle " + cycle + ": bill " + nb.billId() + " (version " + nb.version()
                            + ") replaces bill " + old.billId() + ": " + old.total() + " -> " + nb.total() + " CNY, " + direction(diff));
                }
                s.add(Kind.CLOSED, null, null, null, null, d.pastServiceLife() ? "past service life: the new meter stays"
                        : "outside the limits: case settled");
            }
            return cases.find(c, caseId).orElseThrow();
        });
    }

    /** Within limits: the tested meter is refitted, the spare removed, the deposit returned. */
    public DisputeCase refitOriginal(long caseId, LocalDate day) {
        Instant now = clock.instant();
        return db.tx("dispute " + caseId + " refit", c -> {
            DisputeCase d = inState(c, caseId, DisputeCase.State.AWAITING_METER_CHOICE, "refitting the original meter");
            Steps s = steps(c, d, day, now);
            move(c, d.fittedMeter(), day, "dispute case " + caseId + ": spare removed, the original refitted", now, MeterState.REMOVED, MeterState.IN_STOCK);
            move(c, d.meterId(), day, "dispute case " + caseId + ": refitted after its test (within the limits)", now, MeterState.INSTALLED);
            s.add(Kind.ORIGINAL_REFITTED, null, d.meterId(), null, null, "tested meter " + d.meterId() + " refitted; spare "
                    + d.fittedMeter() + " removed");
            s.add(Kind.DEPOSIT_RETURNED, d.paid(Kind.DEPOSIT_PAID), null, null, null, "spare-meter deposit returned");
            s.add(Kind.CLOSED, null, null, null, null, "within the limits: bills stand");
            return cases.find(c, caseId).orElseThrow();
        });
    }

    /** Within limits: the customer keeps the spare and forfeits the deposit. */
    public DisputeCase keepSpare(long caseId, LocalDate day) {
        Instant now = clock.instant();
        return db.tx("dispute " + caseId + " keep spare", c -> {
            DisputeCase d = inState(c, caseId, DisputeCase.State.AWAITING_METER_CHOICE, "keeping the spare");
            Steps s = steps(c, d, day, now);
            move(c, d.meterId(), day, "dispute case " + caseId + ": back to stock after its test (within the limits); the customer keeps "
                    + d.fittedMeter(), now, MeterState.IN_STOCK);
            s.add(Kind.SPARE_KEPT, null, d.fittedMeter(), null, null, "the customer keeps spare meter " + d.fittedMeter());
            s.add(Kind.DEPOSIT_FORFEITED, d.paid(Kind.DEPOSIT_PAID), null, null, null, "spare-meter deposit forfeited");
            s.add(Kind.CLOSED, null, null, null, null, "within the limits: bills stand");
            return cases.find(c, caseId).orElseThrow();
        });
    }

    /**
     * The cycles re-billed for a request: the {@code months} latest cycles whose bill period ended
     * before the request day (a cycle bills the 15th of the month before to the 14th).
     */
    public static List<YearMonth> rebillCycles(LocalDate requested, int months) {
        YearMonth last = requested.getDayOfMonth() > 14 ? YearMonth.from(requested) : YearMonth.from(requested).minusMonths(1);
        List<YearMonth> out = new ArrayList<>();
        for (int i = months - 1; i >= 0; i--) out.add(last.minusMonths(i));
        return out;
    }

    /**
     * One adjustment per volume line of the meter: true − metered litres (true by the formula, half-up
     * to the litre) at the line's tariff version, tier, tariff year and price; amount half-up to the fen.
     */
    public static List<BillLine> adjustments(Bill bill, String meterId, BigDecimal errorPercent, ErrorFormula formula, String why) {
        List<BillLine> out = new ArrayList<>();
        for (BillLine l : bill.lines()) {
            if (l.tier() == null || l.kind() == LineKind.ADJUSTMENT || !meterId.equals(l.meterId())) continue;
            long trueL = formula.trueLitres(l.volumeL(), errorPercent);
            long delta = trueL - l.volumeL();
            if (delta == 0) continue;
            BigDecimal amount = BigDecimal.valueOf(delta, 3).multiply(l.unitPrice()).setScale(2, RoundingMode.HALF_UP);
            String text = why + "; line " + l.no() + " (" + l.kind() + " " + l.firstDay() + ".." + l.lastDay() + "): metered "
                    + BillCalculator.m3(l.volumeL()) + " m3, true " + BillCalculator.m3(trueL) + " m3 (" + formula.shown() + "), "
                    + (delta > 0 ? "+" : "") + BillCalculator.m3(delta) + " m3 x " + l.unitPrice().toPlainString() + " (tier " + l.tier()
                    + ", version " + l.tariffVersion() + ") = " + amount.toPlainString() + " CNY " + (amount.signum() < 0 ? "refund" : "charge");
            out.add(new BillLine(0, LineKind.ADJUSTMENT, meterId, l.firstDay(), l.lastDay(), l.tariffVersion(), l.tier(), l.tariffYear(),
                    delta, l.unitPrice(), amount, l.estimated(), text));
        }
        return out;
    }

    /**
     * Where the meters have lifecycle records: the disputed meter's service life must agree with
     * {@code pastServiceLife}, and the meter fitted must be new (seed: a disputed meter is replaced by
     * a new one, never a refurbished one).
     */
    private void checkRecords(Connection c, String meterId, LocalDate requested, boolean pastServiceLife, String fitted) throws SQLException {
        Optional<MeterRecord> m = lifecycle.find(c, meterId);
        if (m.isPresent()) {
            LocalDate ends = m.get().lifeEnds(life);
            boolean past = m.get().gasType() == GasType.LPG ? requested.isAfter(ends) : !requested.isBefore(ends);
            if (past && !pastServiceLife) {
                throw new AccuracyException("meter " + meterId + " is past its service life (ended " + ends + "): open the case with"
                        + " --past-service-life --new-meter M");
            }
            if (!past && pastServiceLife) {
                throw new AccuracyException("meter " + meterId + " is within its service life until " + ends + ": not --past-service-life");
            }
        }
        Optional<MeterRecord> f = lifecycle.find(c, fitted);
        if (f.isPresent() && !f.get().isNew()) {
            throw new AccuracyException("meter " + fitted + " is refurbished; a disputed meter is replaced by a new meter");
        }
    }

    /**
     * Walks a meter with a lifecycle record towards the last of {@code path}, one new attributed
     * state event per step, skipping the steps it has passed already (a disputed meter still in stock
     * goes straight to UNDER_TEST, a spare already issued straight to INSTALLED). A meter without a
     * record is left alone: the dispute does not require lifecycle records.
     */
    private void move(Connection c, String meterId, LocalDate day, String detail, Instant now, MeterState... path) throws SQLException {
        Optional<MeterRecord> r = lifecycle.find(c, meterId);
        if (r.isEmpty()) return;
        MeterState at = r.get().state();
        int start = 0;
        while (start < path.length && !at.next().contains(path[start])) start++;
        if (start == path.length) {
            throw new AccuracyException("meter " + meterId + " is " + at + ": it cannot go to " + path[path.length - 1] + " (" + detail + ")");
        }
        try {
            for (int i = start; i < path.length; i++) lifecycle.change(c, meterId, day, path[i], detail, now);
        } catch (LifecycleException e) {
            throw new AccuracyException(e.getMessage());
        }
    }

    private static String direction(BigDecimal diff) {
        return diff.signum() < 0 ? "refund " + diff.negate().toPlainString() + " CNY" : diff.signum() > 0 ? "charge " + diff.toPlainString() + " CNY"
                : "no change";
    }

    private List<DisputeCase> openCases(Connection c, String meterId) throws SQLException {
        List<Long> ids = SqlDatabase.query(c, "select case_id from dispute_cases where meter_id = ?", ps -> ps.setString(1, meterId), rs -> rs.getLong(1));
        List<DisputeCase> out = new ArrayList<>();
        for (long id : ids) {
            DisputeCase d = cases.find(c, id).orElseThrow();
            if (d.state() != DisputeCase.State.CLOSED) out.add(d);
        }
        return out;
    }

    private DisputeCase inState(Connection c, long caseId, DisputeCase.State wanted, String what) throws SQLException {
        DisputeCase d = cases.find(c, caseId).orElseThrow(() -> new AccuracyException("no dispute case " + caseId));
        if (d.state() != wanted) {
            throw new AccuracyException("dispute case " + caseId + " is " + d.state() + ": " + what + " needs " + wanted);
        }
        return d;
    }

    private Steps steps(Connection c, DisputeCase d, LocalDate day, Instant now) {
        LocalDate last = d.events().get(d.events().size() - 1).day();
        if (day.isBefore(last)) throw new AccuracyException("--date " + day + " is before the case's last event (" + last + ")");
        return new Steps(c, d.caseId(), d.events().size(), day, now);
    }

    private static void require(String v, String option) {
        if (v == null || v.isBlank()) throw new AccuracyException(option + ": required");
    }

    /** Appends events to one case inside the step's transaction. */
    private final class Steps {
        private final Connection c;
        private final long caseId;
        private int seq;
        private final LocalDate day;
        private final Instant now;

        Steps(Connection c, long caseId, int seq, LocalDate day, Instant now) {
            this.c = c;
            this.caseId = caseId;
            this.seq = seq;
            this.day = day;
            this.now = now;
        }

        void add(Kind k, BigDecimal amount, String meter, Long testId, Long billId, String detail) throws SQLException {
            cases.append(c, new DisputeEvent(caseId, ++seq, day, k, amount, meter, testId, billId, detail, now));
        }
    }
}
