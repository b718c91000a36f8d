package org.meterhub.app.accuracy;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.accuracy.AccuracyRules;
import org.meterhub.engine.accuracy.DisputeCase;
import org.meterhub.engine.accuracy.DisputeEvent;
import org.meterhub.engine.accuracy.Disputes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meterhub dispute open|event|show}: the accuracy dispute procedure as dated events (docs/accuracy.md). */
@Command(name = "dispute", mixinStandardHelpOptions = true,
        description = "Accuracy disputes: open a case, record its test result and the meter choice, show a case.",
        subcommands = {DisputeCommand.Open.class, DisputeCommand.Event.class, DisputeCommand.Show.class})
public final class DisputeCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** --store and --rules, shared. */
    static final class Target {
        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--rules", paramLabel = "FILE", description = "Meter rules YAML (class limits, deposit, test fee, months re-billed, error formula).")
        Path rules;
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "A customer's test request: past service life a new meter is fitted at once; otherwise deposit and test fee are recorded and a spare fitted.")
    static final class Open implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--account", required = true, description = "Account id.")
        String account;

        @Option(names = "--meter", required = true, description = "The disputed meter.")
        String meter;

        @Option(names = "--date", required = true, description = "Day of the request, YYYY-MM-DD.")
        String date;

        @Option(names = "--spare", description = "The spare meter fitted while the disputed one is tested.")
        String spare;

        @Option(names = "--past-service-life", description = "The disputed meter is past its service life.")
        boolean pastLife;

        @Option(names = "--new-meter", description = "Past service life: the new meter fitted at once.")
        String newMeter;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            if (pastLife && newMeter == null) throw new ConfigException("--new-meter: required with --past-service-life");
            if (!pastLife && spare == null) throw new ConfigException("--spare: required (or --past-service-life --new-meter M)");
            if (pastLife && spare != null) throw new ConfigException("--spare: not with --past-service-life (a new meter is fitted: --new-meter)");
            if (!pastLife && newMeter != null) throw new ConfigException("--new-meter: only with --past-service-life");
            var day = Stores.day("--date", date);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                AccuracyRules rules = pastLife ? MeterRulesFile.load(target.rules) : MeterRulesFile.forSpareDispute(target.rules);
                DisputeCase d = new Disputes(db, rules, MeterRulesFile.lifecycle(target.rules), clock).open(account, meter, day, pastLife,
                        pastLife ? newMeter : spare);
                print(out, d);
                return 0;
            });
        }
    }

    @Command(name = "event", mixinStandardHelpOptions = true,
            description = "The next step of a case: --test ID (the test result and its verdict), --refit (original refitted) or --keep-spare.")
    static final class Event implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--case", required = true, description = "Case number.")
        long caseId;

        @Option(names = "--date", required = true, description = "Day of the step, YYYY-MM-DD.")
        String date;

        @Option(names = "--test", description = "The stored accuracy test of the disputed meter (meterhub accuracy show).")
        Long test;

        @Option(names = "--refit", description = "Within limits: the tested meter is refitted, the deposit returned.")
        boolean refit;

        @Option(names = "--keep-spare", description = "Within limits: the customer keeps the spare and forfeits the deposit.")
        boolean keepSpare;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            int given = (test != null ? 1 : 0) + (refit ? 1 : 0) + (keepSpare ? 1 : 0);
            if (given != 1) throw new ConfigException("dispute event: give exactly one of --test ID, --refit, --keep-spare");
            var day = Stores.day("--date", date);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                Disputes ds = new Disputes(db, MeterRulesFile.load(target.rules), MeterRulesFile.lifecycle(target.rules), clock);
                DisputeCase d = test != null ? ds.testResult(caseId, test, day) : refit ? ds.refitOriginal(caseId, day) : ds.keepSpare(caseId, day);
                print(out, d);
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A case and its dated events; or every case of an account or meter.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--case", description = "Case number.")
        Long caseId;

        @Option(names = "--account", description = "Every case of this account or meter.")
        String account;

        @CommandLine.Mixin
        org.meterhub.app.alarm.DeadlinesOption deadlines;

        @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "The utility's zone: today, for open deadlines (default ${DEFAULT-VALUE}).")
        String zoneName;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if ((caseId == null) == (account == null)) throw new ConfigException("dispute show: give --case N or --account A");
            PrintWriter out = spec.commandLine().getOut();
            org.meterhub.app.config.DeadlinesFile settings = deadlines.load();
            java.time.ZoneId zone = org.meterhub.app.config.CliArgs.zone(zoneName);
            org.meterhub.engine.calendar.WorkingDays calendar = settings.workingDays(zone);
            java.time.LocalDate today = java.time.LocalDate.now(zone);
            return Stores.with(target.store, db -> {
                Disputes ds = new Disputes(db, MeterRulesFile.load(target.rules), MeterRulesFile.lifecycle(target.rules), Clock.systemUTC());
                List<DisputeCase> cs = caseId != null
                        ? List.of(ds.cases().find(caseId).orElseThrow(() -> new ConfigException("no dispute case " + caseId)))
                        : ds.cases().cases(account);
                if (cs.isEmpty()) throw new ConfigException("no dispute case of " + account);
                for (DisputeCase d : cs) {
                    print(out, d);
                    // complaint deadlines, on the working-day calendar (docs/alarms.md, "Working days")
                    for (org.meterhub.engine.accuracy.DisputeDeadlines.Check c : settings.disputeDeadlines().check(d, calendar)) {
                        out.printf("  deadline %-22s within %-16s due %s  %s%s%n", c.step(), c.limit().describe(), c.dueDay(),
                                c.status(today), c.reachedOn().map(r -> " (" + r + ")").orElse(""));
                    }
                    out.flush();
                }
                return 0;
            });
        }
    }

    static void print(PrintWriter out, DisputeCase d) {
        out.printf("dispute case %d  account %s  meter %s  requested %s%s  state %s%n", d.caseId(), d.accountId(), d.meterId(), d.requestedOn(),
                d.pastServiceLife() ? "  (past service life)" : "", d.state());
        for (DisputeEvent e : d.events()) {
            out.printf("  %2d %s %-24s %10s  %s%n", e.seq(), e.day(), e.kind(), e.amount() == null ? "" : e.amount().toPlainString(),
                    e.detail());
        }
        out.flush();
    }
}
