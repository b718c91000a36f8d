package org.meterhub.app.bill;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.Params;
import org.meterhub.engine.billing.Bill;
import org.meterhub.engine.billing.BillCalculator;
import org.meterhub.engine.billing.BillLine;
import org.meterhub.engine.billing.BillRun;
import org.meterhub.engine.billing.Billing;
import org.meterhub.engine.billing.TariffException;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meterhub bill run|show|export}: the cycle's bills (docs/billing.md). */
@Command(name = "bill", mixinStandardHelpOptions = true,
        description = "Bill a cycle, explain a bill line by line, export a cycle's bills.",
        subcommands = {BillCommand.Run.class, BillCommand.Show.class, BillCommand.Export.class})
public final class BillCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** --store and --cycle, shared. */
    static final class Target {
        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--cycle", required = true, description = "Billing cycle YYYY-MM: bills the 15th of the month before to the 14th.")
        String cycle;

        YearMonth month() {
            try {
                return Params.parseMonth("cycle", cycle);
            } catch (BadParameterException e) {
                throw new ConfigException("--" + e.getMessage());
            }
        }

        /** Opens store and billing, or says in one line what is wrong with --store. */
        <T> T with(Work<T> work) {
            if (SqlDatabase.isPrivateMemory(store)) {
                throw new ConfigException("--store: an in-memory store holds no accounts to bill; name a store file or database");
            }
            TimeSeriesStore db = CliArgs.existingStore(store);
            try (db; Billing billing = Billing.open(db, store)) {
                return work.run(db, billing);
            } catch (TariffException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    @FunctionalInterface
    interface Work<T> {
        T run(TimeSeriesStore store, Billing billing);
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "One bill per account to read; a second run adds nothing; --rebill issues new versions for accounts whose data changed.")
    static final class Run implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--dry-run", description = "Compute and report, write nothing.")
        boolean dryRun;

        @Option(names = "--rebill", description = "Accounts whose current bill no longer matches the data get a new version that replaces it.")
        boolean rebill;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();
        boolean terminal = Progress.onTerminal();

        @Override
        public Integer call() {
            YearMonth cycle = target.month();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            return target.with((store, billing) -> {
                org.meterhub.app.security.CliAudit.record(store, "bill run", "cycle:" + cycle,
                        ((dryRun ? "dry-run " : "") + (rebill ? "rebill" : "")).strip());
                Progress progress = new Progress(err, terminal);
                BillRun.Report r = billing.run(clock).run(cycle, dryRun, rebill, new BillRun.Listener() {
                    @Override
                    public void progress(int done, int total) {
                        progress.progress(done, total);
                    }

                    @Override
                    public void outcome(BillRun.Outcome o) {
                        switch (o.status()) {
                            case REBILLED, CHANGED, NO_METER -> out.printf("%-18s %-10s %s%n", o.accountId(), o.status(), o.note());
                            default -> { }
                        }
                    }
                });
                out.printf("bill run %s: period %s..%s (%s)%s%n", cycle, r.period().firstDay(), r.period().lastDay(),
                        r.period().zone(), dryRun ? "  DRY RUN: nothing written" : "");
                out.printf("accounts to read %d: new %d, re-billed %d, unchanged %d, changed (not re-billed) %d, no meter %d,"
                                + " prepaid (meterhub statement run) %d; new bills total %s CNY%n", r.accounts(), r.count(BillRun.Status.NEW),
                        r.count(BillRun.Status.REBILLED), r.count(BillRun.Status.UNCHANGED), r.count(BillRun.Status.CHANGED),
                        r.count(BillRun.Status.NO_METER), r.count(BillRun.Status.PREPAID), r.newTotal().toPlainString());
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A bill line by line: where each volume came from and how it was priced.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--account", required = true, description = "Account id.")
        String account;

        @Option(names = "--all-versions", description = "Every version, oldest first (default: the current one).")
        boolean all;

        @Mixin
        org.meterhub.app.security.PurposeOption purpose;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            YearMonth cycle = target.month();
            PrintWriter out = spec.commandLine().getOut();
            return target.with((store, billing) -> {
                // A bill is an account's consumption and money: reading it is audited like a query.
                store.audit(new org.meterhub.engine.store.AuditEntry(java.time.Instant.now(), CliArgs.osUser(), "cli bill show",
                        account, "cycle=" + cycle + (all ? "&all-versions" : ""), "cli", purpose.value()));
                List<Bill> versions = billing.bills().versions(account, cycle);
                if (versions.isEmpty()) {
                    throw new ConfigException("no bill for account " + account + " in cycle " + cycle + "; run meterhub bill run --cycle " + cycle);
                }
                for (Bill b : all ? versions : List.of(versions.get(versions.size() - 1))) print(out, b, store.rollupZone());
                out.flush();
                return 0;
            });
        }
    }

    static void print(PrintWriter out, Bill b, ZoneId zone) {
        print(out, b, zone, "bill");
    }

    /** @param what "bill", or "statement" for the priced part of a prepaid statement */
    static void print(PrintWriter out, Bill b, ZoneId zone, String what) {
        out.printf(what + " %s  account %s  cycle %s  version %d%s%n", b.billId() == null ? "(draft)" : b.billId().toString(), b.accountId(), b.cycle(), b.version(),
                b.replacesBillId() == null ? "" : "  replaces " + what + " " + b.replacesBillId());
        out.printf("period %s..%s  tariff %s%s  issued %s  (%s)%n", b.periodFirst(), b.periodLast(), b.tariffId(),
                b.variants().isEmpty() ? "" : "  variants " + String.join(",", b.variants()),
                LocalDateTime.ofInstant(b.createdAt(), zone).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), b.reason());
        out.printf("%2s %-10s %-14s %-22s %4s %-10s %11s %8s %10s%n", "#", "kind", "meter", "days", "tier", "version",
                "volume m3", "price", "amount");
        for (BillLine l : b.lines()) {
            String days = l.firstDay().equals(l.lastDay()) ? l.firstDay().toString() : l.firstDay() + ".." + l.lastDay();
            out.printf("%2d %-10s %-14s %-22s %4s %-10s %11s %8s %10s%n", l.no(), l.kind() + (l.estimated() ? " (E)" : ""),
                    l.meterId() == null ? "-" : l.meterId(), days, l.tier() == null ? "-" : l.tier().toString(),
                    l.tariffVersion(), l.tier() == null ? "-" : BillCalculator.m3(l.volumeL()), l.unitPrice().toPlainString(),
                    l.amount().toPlainString());
            out.printf("   %s%n", l.explanation());
        }
        out.printf("total %s CNY (each line rounded half-up to the fen; (E) = estimated)%n", b.total().toPlainString());
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "The cycle's current bills, one row per line, for the billing system.")
    static final class Export implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--format", defaultValue = "csv", description = "csv (the only format).")
        String format;

        @Option(names = "--out", description = "Write to this file instead of standard output.")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!format.equals("csv")) throw new ConfigException("--format: expected csv, got \"" + format + "\"");
            YearMonth cycle = target.month();
            try (Writer w = file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                PrintWriter out = w == null ? spec.commandLine().getOut() : new PrintWriter(w);
                long[] rows = {0};
                target.with((store, billing) -> {
                    out.println("bill_id,account_id,cycle,version,replaces_bill_id,line_no,kind,meter_id,first_day,last_day,"
                            + "tariff_id,tariff_version,tier,tariff_year,volume_m3,unit_price_cny,amount_cny,estimated,bill_total_cny");
                    billing.bills().forEachCurrent(cycle, b -> {
                        for (BillLine l : b.lines()) {
                            out.println(String.join(",", String.valueOf(b.billId()), csv(b.accountId()), b.cycle().toString(),
                                    String.valueOf(b.version()), b.replacesBillId() == null ? "" : b.replacesBillId().toString(),
                                    String.valueOf(l.no()), l.kind().name(), l.meterId() == null ? "" : csv(l.meterId()),
                                    l.firstDay().toString(), l.lastDay().toString(), csv(b.tariffId()), l.tariffVersion().toString(),
                                    l.tier() == null ? "" : l.tier().toString(), l.tariffYear() == null ? "" : l.tariffYear().toString(),
                                    BillCalculator.m3(l.volumeL()), l.unitPrice().toPlainString(), l.amount().toPlainString(),
                                    l.estimated() ? "1" : "0", b.total().toPlainString()));
                            rows[0]++;
                        }
                    });
                    return null;
                });
                out.flush();
                if (file != null) spec.commandLine().getErr().println("wrote " + rows[0] + " lines to " + file);
            }
            return 0;
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
