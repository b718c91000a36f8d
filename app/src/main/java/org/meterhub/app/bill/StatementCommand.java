package org.meterhub.app.bill;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.billing.PrepaidStatement;
import org.meterhub.engine.billing.StatementRun;
import org.meterhub.engine.prepaid.BalanceUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meterhub statement run|show}: per-cycle statements of prepaid (IC-card) accounts (docs/billing.md). */
@Command(name = "statement", mixinStandardHelpOptions = true,
        description = "Per-cycle statements of prepaid (IC-card) accounts: top-ups, consumption priced by the tariff, reconciliation.",
        subcommands = {StatementCommand.Run.class, StatementCommand.Show.class})
public final class StatementCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "One statement per prepaid account to read; a second run adds nothing; --restate issues new versions.")
    static final class Run implements Callable<Integer> {
        @Mixin
        BillCommand.Target target;

        @Option(names = "--dry-run", description = "Compute and report, write nothing.")
        boolean dryRun;

        @Option(names = "--restate", description = "Accounts whose current statement no longer matches the data get a new version.")
        boolean restate;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            YearMonth cycle = target.month();
            PrintWriter out = spec.commandLine().getOut();
            return target.with((store, billing) -> {
                org.meterhub.app.security.CliAudit.record(store, "statement run", "cycle:" + cycle,
                        ((dryRun ? "dry-run " : "") + (restate ? "restate" : "")).strip());
                StatementRun.Report r = billing.statementRun(clock).run(cycle, dryRun, restate, o -> {
                    if (o.status() != StatementRun.Status.UNCHANGED) {
                        out.printf("%-18s %-10s %s%n", o.accountId(), o.status(), o.note());
                    }
                });
                out.printf("statement run %s: prepaid accounts %d: new %d, restated %d, unchanged %d, changed (not restated) %d%s%n",
                        cycle, r.accounts(), r.count(StatementRun.Status.NEW), r.count(StatementRun.Status.RESTATED),
                        r.count(StatementRun.Status.UNCHANGED), r.count(StatementRun.Status.CHANGED),
                        dryRun ? "  DRY RUN: nothing written" : "");
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "A statement: the meter's balances and top-ups, the priced consumption line by line, the reconciliation.")
    static final class Show implements Callable<Integer> {
        @Mixin
        BillCommand.Target target;

        @Option(names = "--account", required = true, description = "Account id.")
        String account;

        @Option(names = "--all-versions", description = "Every version, oldest first (default: the current one).")
        boolean all;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            YearMonth cycle = target.month();
            PrintWriter out = spec.commandLine().getOut();
            return target.with((store, billing) -> {
                List<PrepaidStatement> versions = billing.statements().versions(account, cycle);
                if (versions.isEmpty()) {
                    throw new ConfigException("no statement for account " + account + " in cycle " + cycle
                            + "; run meterhub statement run --cycle " + cycle);
                }
                for (PrepaidStatement s : all ? versions : List.of(versions.get(versions.size() - 1))) {
                    print(out, s, store.rollupZone());
                }
                out.flush();
                return 0;
            });
        }
    }

    static void print(PrintWriter out, PrepaidStatement s, ZoneId zone) {
        out.printf("prepaid statement of meter %s (credit in %s)%n", s.meterId(), s.unit());
        BillCommand.print(out, s.priced(), zone, "statement");
        String u = s.unit() == BalanceUnit.CNY ? "CNY" : "m3";
        out.printf("opening balance %s%n", report(s.opening(), u, zone));
        out.printf("top-ups         %s %s (%d purchases between the two reports)%n", s.purchased().toPlainString(), u, s.purchases());
        out.printf("closing balance %s%n", report(s.closing(), u, zone));
        BigDecimal d = s.deducted();
        String engine = s.unit() == BalanceUnit.CNY ? s.charged().toPlainString() + " CNY (the gas lines above)"
                : org.meterhub.engine.billing.BillCalculator.m3(s.meteredL()) + " m3 metered (priced " + s.charged().toPlainString()
                + " CNY above)";
        if (d == null) {
            out.printf("RECONCILIATION  not possible: no balance report at %s of the period%n", s.opening() == null ? "the start" : "the end");
        } else {
            out.printf("RECONCILIATION  meter deducted %s %s - tariff engine %s = %s %s%n", d.toPlainString(), u, engine,
                    s.reconciliation().toPlainString(), u);
        }
    }

    private static String report(PrepaidStatement.Report r, String unit, ZoneId zone) {
        if (r == null) return "none (no balance report)";
        return r.balance().toPlainString() + " " + unit + " (meter report "
                + LocalDateTime.ofInstant(r.time(), zone).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")) + ")";
    }
}
