package org.meterhub.app.estimate;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.CoverageSection;
import org.meterhub.engine.attempt.JdbcReadAttempts;
import org.meterhub.engine.estimation.Decision;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimateRetirement;
import org.meterhub.engine.estimation.EstimationCycle;
import org.meterhub.engine.estimation.EstimationSettings;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.ReadingWindow;
import org.meterhub.engine.estimation.TrueUp;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meterhub estimate}: the billing clerk's estimation run for one cycle. Prints every
 * estimate and every refusal with its reason and follow-up work item; writes them to the store
 * unless {@code --dry-run}. Safe to run again: earlier estimates and work items are kept.
 */
@Command(name = "estimate", mixinStandardHelpOptions = true,
        description = "Estimate unread residential accounts of a billing cycle (reading window 26th..14th) "
                + "as the rules allow; list refusals and work items.")
public final class EstimateCommand implements Callable<Integer> {

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--cycle", required = true, description = "Billing cycle YYYY-MM; its window is the 26th of the month before to the 14th.")
    String cycle;

    @Option(names = "--dry-run", description = "Decide and print, write nothing.")
    boolean dryRun;

    @Option(names = "--settings", description = "A YAML file with required-failed-reads and max-estimated-percent "
            + "(and the coverage targets); defaults: the regulations' 3 and 2 %.")
    String settings;

    @Spec
    CommandSpec spec;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        YearMonth month;
        try {
            month = YearMonth.parse(cycle);
        } catch (DateTimeException e) {
            throw new ConfigException("--cycle: expected YYYY-MM, got \"" + cycle + "\"");
        }
        if (SqlDatabase.isPrivateMemory(store)) {
            throw new ConfigException("--store: an in-memory store has no accounts to estimate; name a store file or database");
        }
        EstimationSettings rules = CoverageSection.load(settings).estimation();
        TimeSeriesStore db = CliArgs.store(store);
        try (db; SqlDatabase records = SqlDatabase.open(store)) {
            if (settings != null) org.meterhub.app.security.SettingsAudit.record(records, "reading-rules", java.nio.file.Path.of(settings), "cli");
            org.meterhub.app.security.CliAudit.record(db, "estimate", "cycle:" + month, dryRun ? "dry-run" : "");
            EstimationCycle.Report report = new EstimationCycle(db, new JdbcEstimationRecords(records),
                    new JdbcReadAttempts(records), rules, clock).run(new ReadingWindow(month, db.rollupZone()), dryRun);
            print(spec.commandLine().getOut(), report);
        }
        return 0;
    }

    static void print(PrintWriter out, EstimationCycle.Report r) {
        ReadingWindow w = r.window();
        out.printf("cycle %s: reading window %s..%s (%s)%s%n", w.cycle(), w.firstDay(), w.lastDay(), w.zone(),
                r.dryRun() ? "  DRY RUN: nothing written" : "");
        out.printf("accounts to read %d (%s)%n", r.accountsToRead(), r.accounts().arithmetic());
        out.printf("households managed %d: at most %d estimates%n", r.householdsManaged(), r.allowedEstimates());
        for (EstimationCycle.AccountOutcome o : r.outcomes()) {
            if (o.decision().isEmpty()) {
                out.printf("%-18s %-16s %-20s %s%n", o.accountId(), o.meterId(), o.status(), o.note());
            } else if (o.decision().get() instanceof Decision.Estimated e) {
                Estimate x = e.estimate();
                out.printf("%-18s %-16s %-20s %s m3, register %s m3, %s: %s%n", o.accountId(), o.meterId(), "ESTIMATED",
                        m3(x.volumeL()), m3(x.estimatedRegisterL()), x.method(), x.basis());
            } else if (o.decision().get() instanceof Decision.Refused f) {
                out.printf("%-18s %-16s %-20s %s%s%n", o.accountId(), o.meterId(), "REFUSED " + f.refusal(), f.reason(),
                        f.followUp().map(wi -> " -> work item " + wi.kind()).orElse(""));
            }
        }
        for (TrueUp t : r.trueUps()) {
            out.printf("true-up %s %s: estimated %s m3, actual %s m3, difference %s m3%n", t.accountId(),
                    t.estimatedCycle(), m3(t.estimatedVolumeL()), m3(t.actualVolumeL()), m3(t.differenceL()));
        }
        for (EstimateRetirement x : r.retirements()) {
            out.printf("retired %s %s: estimate replaced by the real reading of %s (register %s m3)%n", x.accountId(),
                    x.cycle(), x.readingTime(), m3(x.readingRegisterL()));
        }
        out.printf("estimated %d, refused %d, true-ups %d, estimates retired %d, second visits %d%n", r.estimates().size(),
                r.refusals().size(), r.trueUps().size(), r.retirements().size(), r.secondVisits().size());
        out.flush();
    }

    private static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }
}
