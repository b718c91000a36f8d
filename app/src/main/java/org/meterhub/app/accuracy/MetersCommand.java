package org.meterhub.app.accuracy;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.lifecycle.GasType;
import org.meterhub.engine.lifecycle.IssueReason;
import org.meterhub.engine.lifecycle.JdbcMeterLifecycle;
import org.meterhub.engine.lifecycle.LifecycleException;
import org.meterhub.engine.lifecycle.LifecycleRules;
import org.meterhub.engine.lifecycle.MeterLifecycle;
import org.meterhub.engine.lifecycle.MeterRecord;
import org.meterhub.engine.lifecycle.MeterState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meterhub meters add|state|issue|due|show}: meter records and their life (docs/accuracy.md, "Meter lifecycle"). */
@Command(name = "meters", mixinStandardHelpOptions = true,
        description = "Meter records (brand, model, serial, production and first-verification dates, gas type), their states, issue from stock, meters due.",
        subcommands = {MetersCommand.Add.class, MetersCommand.State.class, MetersCommand.Issue.class, MetersCommand.DueList.class,
                MetersCommand.Show.class})
public final class MetersCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** --store and --rules, shared. */
    static final class Target {
        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--rules", paramLabel = "FILE", description = "Meter rules YAML (service life, LPG limit, warranty, scrap review day).")
        Path rules;

        LifecycleRules lifecycle() {
            return MeterRulesFile.lifecycle(rules);
        }
    }

    static LocalDate today(String date) {
        return date == null ? LocalDate.now(ZoneId.of("Asia/Shanghai")) : Stores.day("--date", date);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "A meter into stock with its record.")
    static final class Add implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--meter", required = true, description = "Meter id.")
        String meter;

        @Option(names = "--brand", required = true, description = "Maker.")
        String brand;

        @Option(names = "--model", required = true, description = "Model.")
        String model;

        @Option(names = "--serial", required = true, description = "Serial number.")
        String serial;

        @Option(names = "--produced", required = true, description = "Production date, YYYY-MM-DD.")
        String produced;

        @Option(names = "--verified", required = true, description = "First-verification date, YYYY-MM-DD.")
        String verified;

        @Option(names = "--gas", required = true, description = "natural-gas or lpg.")
        String gas;

        @Option(names = "--refurbished", description = "Delivered refurbished (not new).")
        boolean refurbished;

        @Option(names = "--date", description = "Day it enters stock (default today).")
        String date;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            MeterRecord r;
            try {
                r = new MeterRecord(meter, brand, model, serial, Stores.day("--produced", produced), Stores.day("--verified", verified),
                        gas(gas), refurbished, List.of());
            } catch (LifecycleException e) {
                throw new ConfigException(e.getMessage());
            }
            LocalDate day = today(date);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                print(out, new JdbcMeterLifecycle(db).add(r, day, Clock.systemUTC().instant()), target.lifecycle());
                return 0;
            });
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true, description = "A dated state change: installed, removed, under-test, in-stock, scrapped, issued.")
    static final class State implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--meter", required = true, description = "Meter id.")
        String meter;

        @Option(names = "--to", required = true, description = "in-stock, issued, installed, removed, under-test or scrapped.")
        String to;

        @Option(names = "--date", description = "Day of the change (default today).")
        String date;

        @Option(names = "--note", defaultValue = "", description = "What happened (account, reason).")
        String note;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            MeterState s;
            try {
                s = MeterState.valueOf(to.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--to: expected in-stock, issued, installed, removed, under-test or scrapped, got \"" + to + "\"");
            }
            LocalDate day = today(date);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                print(out, new JdbcMeterLifecycle(db).change(meter, day, s, note, Clock.systemUTC().instant()), target.lifecycle());
                return 0;
            });
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue a stock meter: oldest first verification first; never an LPG meter over the limit, never a refurbished one where a new meter is required.")
    static final class Issue implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--gas", required = true, description = "natural-gas or lpg.")
        String gas;

        @Option(names = "--reason", defaultValue = "routine", description = "routine, dispute, overdraft or stopped-registering (the last three need a new meter).")
        String reason;

        @Option(names = "--for", description = "What it is for (account, work order).")
        String forWhat;

        @Option(names = "--date", description = "Day of issue (default today).")
        String date;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            IssueReason r;
            try {
                r = IssueReason.valueOf(reason.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--reason: expected routine, dispute, overdraft or stopped-registering, got \"" + reason + "\"");
            }
            GasType g = gas(gas);
            LocalDate day = today(date);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                MeterLifecycle.Issued i = new MeterLifecycle(new JdbcMeterLifecycle(db), target.lifecycle(), Clock.systemUTC()).issue(g, r, day, forWhat);
                for (MeterLifecycle.Refusal x : i.passedOver()) out.printf("passed over %s: %s%n", x.meterId(), x.reason());
                out.printf("issued %s (%s %s, serial %s, first verification %s)%n", i.meter().meterId(), i.meter().brand(), i.meter().model(),
                        i.meter().serial(), i.meter().firstVerification());
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "due", mixinStandardHelpOptions = true,
            description = "Meters due: installed past their service life (replace), out of service past it (scrap review), removed within warranty (maker repair).")
    static final class DueList implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--date", description = "As of this day (default today).")
        String date;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LocalDate day = today(date);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                MeterLifecycle l = new MeterLifecycle(new JdbcMeterLifecycle(db), target.lifecycle(), Clock.systemUTC());
                List<MeterLifecycle.Due> due = l.due(day);
                out.printf("meters due on %s: %d; next scrap review %s%n", day, due.size(), l.nextScrapReview(day));
                for (MeterLifecycle.Due d : due) {
                    out.printf("%-16s %-15s %-11s %s%n", d.meter().meterId(), d.kind(), d.meter().gasType().name().toLowerCase(Locale.ROOT), d.why());
                }
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A meter's record and its dated states.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Mixin
        Target target;

        @Option(names = "--meter", required = true, description = "Meter id.")
        String meter;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(target.store, db -> {
                print(out, new JdbcMeterLifecycle(db).find(meter).orElseThrow(() -> new ConfigException("no meter record " + meter)), target.lifecycle());
                return 0;
            });
        }
    }

    static GasType gas(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "natural-gas" -> GasType.NATURAL_GAS;
            case "lpg" -> GasType.LPG;
            default -> throw new ConfigException("--gas: expected natural-gas or lpg, got \"" + s + "\"");
        };
    }

    static void print(PrintWriter out, MeterRecord m, LifecycleRules rules) {
        out.printf("meter %s  %s %s  serial %s  %s  produced %s  first verification %s  %s  state %s%n", m.meterId(), m.brand(), m.model(),
                m.serial(), m.gasType().name().toLowerCase(Locale.ROOT), m.productionDate(), m.firstVerification(), m.isNew() ? "new" : "refurbished",
                m.state());
        out.printf("  life ends %s, warranty until %s%n", m.lifeEnds(rules), m.warrantyEnds(rules));
        for (MeterRecord.StateEvent e : m.events()) out.printf("  %2d %s %-10s %s%n", e.seq(), e.day(), e.state(), e.detail());
        out.flush();
    }
}
