package org.meterhub.engine.billing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.engine.prepaid.JdbcBalanceReports;
import org.meterhub.engine.prepaid.Purchase;

/**
 * The statement run of one cycle for prepaid (IC-card) accounts: the accounts to read whose meter
 * the shadow ledger keeps ({@code prepaid_ledger}), which the bill run leaves out. Each gets a
 * {@link PrepaidStatement}: its consumption priced by {@link BillCalculator} exactly as a bill
 * would be (the tier position counts the earlier statements' volume and any earlier bills'), and
 * the meter's own account of the cycle (opening and closing balance reports, top-ups in between,
 * credit deducted) with the reconciliation of the two.
 *
 * <p>Idempotent like the bill run: unchanged → nothing written; changed → reported, or with
 * {@code restate} a new version that names the one it replaces. One transaction for the run.
 */
public final class StatementRun {

    public enum Status { NEW, RESTATED, UNCHANGED, CHANGED }

    public record Outcome(String accountId, Status status, PrepaidStatement statement, String note) {
    }

    public record Report(YearMonth cycle, int accounts, Map<Status, Integer> counts) {
        public int count(Status s) {
            return counts.getOrDefault(s, 0);
        }
    }

    private final JdbcBills bills;
    private final JdbcStatements statements;
    private final JdbcTariffs tariffs;
    private final JdbcBalanceReports reports;
    private final StoreUsage usage;
    private final UsagePages pages;
    private final Clock clock;

    StatementRun(JdbcBills bills, JdbcStatements statements, JdbcTariffs tariffs, JdbcBalanceReports reports, StoreUsage usage,
                 UsagePages pages, Clock clock) {
        this.bills = Objects.requireNonNull(bills, "bills");
        this.statements = Objects.requireNonNull(statements, "statements");
        this.tariffs = Objects.requireNonNull(tariffs, "tariffs");
        this.reports = Objects.requireNonNull(reports, "reports");
        this.usage = Objects.requireNonNull(usage, "usage");
        this.pages = Objects.requireNonNull(pages, "pages");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Report run(YearMonth cycle, boolean dryRun, boolean restate, Consumer<Outcome> each) {
        BillPeriod period = new BillPeriod(cycle, usage.zone());
        TariffBook book = tariffs.book();
        Map<String, List<String>> variants = tariffs.allVariants();
        Instant now = clock.instant();
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        int[] accounts = {0};
        statements.database().tx("statement run " + cycle, c -> {
            String after = "";
            while (true) {
                List<Account> page = pages.accounts(cycle, after, BillRun.PAGE_SIZE);
                if (page.isEmpty()) break;
                after = page.get(page.size() - 1).accountId();
                Set<String> prepaid = pages.prepaidMeters(page.stream().map(Account::meterId).filter(Objects::nonNull).toList());
                for (Account a : page) {
                    if (a.meterId() == null || !prepaid.contains(a.meterId())) continue;
                    Tariff t = book.forClass(a.customerClass()).orElseThrow(() -> new TariffException("statement run " + cycle
                            + ": no tariff for " + a.customerClass().name().toLowerCase() + " accounts (e.g. " + a.accountId() + ")"));
                    if (t.versionOn(period.firstDay()).isEmpty()) {
                        throw new TariffException("statement run " + cycle + ": no version of tariff " + t.id() + " covers "
                                + period.firstDay() + ".." + period.lastDay());
                    }
                    Outcome o;
                    try {
                        o = statement(c, a, period, t, variants.getOrDefault(a.accountId(), List.of()), dryRun, restate, now);
                    } catch (TariffException e) {
                        throw new TariffException("statement run " + cycle + ": account " + a.accountId() + ": " + e.getMessage());
                    }
                    accounts[0]++;
                    counts.merge(o.status(), 1, Integer::sum);
                    each.accept(o);
                }
            }
            return null;
        });
        return new Report(cycle, accounts[0], Map.copyOf(counts));
    }

    private Outcome statement(Connection c, Account a, BillPeriod period, Tariff tariff, List<String> variants, boolean dryRun,
                              boolean restate, Instant now) throws SQLException {
        YearMonth cycle = period.cycle();
        String meter = a.meterId();
        Map<Integer, Long> positions = new HashMap<>(bills.positions(c, a.accountId(), cycle));
        statements.positions(c, a.accountId(), cycle).forEach((year, litres) -> positions.merge(year, litres, Long::sum));
        AccountUsage u = usage.gather(a, period, Optional.empty(), Optional.empty());
        List<BillLine> lines = BillCalculator.lines(new BillCalculator.Input(period, tariff, variants, positions, u.items(tariff)));

        Optional<JdbcBalanceReports.Balance> open = reports.atOrBefore(meter, period.start());
        Optional<JdbcBalanceReports.Balance> close = reports.atOrBefore(meter, period.end().minusMillis(1));
        BalanceUnit unit = close.or(() -> open).map(JdbcBalanceReports.Balance::unit).orElse(BalanceUnit.M3);
        Instant from = open.map(JdbcBalanceReports.Balance::time).orElse(period.start().minusMillis(1));
        Instant to = close.map(JdbcBalanceReports.Balance::time).orElse(period.end().minusMillis(1));
        List<Purchase> bought = reports.purchases(meter, from, to).stream().filter(p -> p.unit() == unit).toList();
        BigDecimal purchased = bought.stream().map(Purchase::amount).reduce(BigDecimal.ZERO.setScale(unit.decimals()), BigDecimal::add);

        Optional<PrepaidStatement> current = statements.current(c, a.accountId(), cycle);
        int version = current.map(s -> s.priced().version() + 1).orElse(1);
        String reason = current.map(s -> "re-statement of version " + s.priced().version() + " (statement "
                + s.priced().billId() + "): the consumption, balance reports, top-ups or tariff data changed")
                .orElse("statement run " + cycle);
        Bill priced = new Bill(null, a.accountId(), cycle, version, current.map(s -> s.priced().billId()).orElse(null), reason,
                tariff.id(), variants, period.firstDay(), period.lastDay(), lines, now);
        PrepaidStatement fresh = new PrepaidStatement(priced, meter, unit, open.map(StatementRun::report).orElse(null),
                purchased, bought.size(), close.map(StatementRun::report).orElse(null));
        if (current.isPresent() && current.get().sameAs(fresh)) {
            return new Outcome(a.accountId(), Status.UNCHANGED, current.get(), "version " + current.get().priced().version() + " stands");
        }
        if (current.isPresent() && !restate) {
            return new Outcome(a.accountId(), Status.CHANGED, current.get(), "data changed since version "
                    + current.get().priced().version() + "; --restate issues a new version");
        }
        if (!dryRun) fresh = statements.insert(c, fresh);
        return new Outcome(a.accountId(), current.isPresent() ? Status.RESTATED : Status.NEW, fresh, reason);
    }

    private static PrepaidStatement.Report report(JdbcBalanceReports.Balance b) {
        return new PrepaidStatement.Report(b.time(), b.balance());
    }
}
