package org.meterhub.app.alarm;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.query.TimeArgs;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmStep;
import org.meterhub.engine.alarm.DeadlineShare;
import org.meterhub.engine.alarm.Milestone;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meterhub alarms}: the operator's side of the alarm lifecycle (raised → acknowledged →
 * resolved). The engine raises alarms; people take and close them here, and every step is stored as
 * a new event with who did it, never by rewriting the raise.
 */
@Command(name = "alarms", mixinStandardHelpOptions = true,
        description = "List, acknowledge and resolve alarms; list the overdue ones; the month's deadlines met (docs/alarms.md).",
        subcommands = {AlarmsCommand.ListAlarms.class, AlarmsCommand.Overdue.class, AlarmsCommand.Acknowledge.class,
                AlarmsCommand.OnSite.class, AlarmsCommand.Resolve.class, AlarmsCommand.FollowUp.class,
                AlarmsCommand.History.class, AlarmsCommand.DeadlineReport.class})
public final class AlarmsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The store and zone options every subcommand shares, and opening the alarm lifecycle on them. */
    static final class StoreOption {
        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "Zone the times are shown in (default ${DEFAULT-VALUE}).")
        String zoneName;

        @Mixin
        DeadlinesOption deadlines;

        /** {@code --at} as a clock standing at that moment, or the wall clock. */
        Clock clockAt(String at) {
            return at == null ? Clock.systemUTC() : Clock.fixed(TimeArgs.parse("--at", at, zone()), ZoneOffset.UTC);
        }

        ZoneId zone() {
            return CliArgs.zone(zoneName);
        }

        /** Runs {@code work} on the store's alarm lifecycle after writing an audit row for it. */
        int run(String action, String subject, String actor, Work work) {
            return run(action, subject, actor, Clock.systemUTC(), work);
        }

        /** @param clock "now" for deadlines: the wall clock, or {@code --at} to look at another moment */
        int run(String action, String subject, String actor, Clock clock, Work work) {
            ZoneId zone = zone();
            org.meterhub.engine.alarm.AlarmDeadlines rules = deadlines.load().alarmDeadlines();
            // the store applies the migrations, so the alarm tables exist for the second connection
            try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
                ts.audit(new AuditEntry(Instant.now(), actor, "cli alarms " + action, subject, "", "cli"));
                JdbcAlarmRepository repository = new JdbcAlarmRepository(db);
                AlarmService service = new AlarmService(repository, rules, AlarmSink.none(), clock);
                return work.run(service, repository, new AlarmTable(System.out, zone));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage()); // "no alarm 42"
            }
        }
    }

    @FunctionalInterface
    interface Work {
        int run(AlarmService service, JdbcAlarmRepository repository, AlarmTable out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Open alarms, oldest first (--all: resolved ones too).")
    static final class ListAlarms implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--meter", description = "Only alarms of this meter (or district:<id>).")
        String subject;

        @Option(names = "--all", description = "Resolved alarms too (needs --meter).")
        boolean all;

        @Option(names = "--at", description = "Judge deadlines at this time instead of now (e.g. a demo's simulated time).")
        String at;

        @Override
        public Integer call() {
            if (all && subject == null) throw new ConfigException("--all: name the meter with --meter");
            Clock clock = options.clockAt(at);
            return options.run("list", subject == null ? "*" : subject, CliArgs.osUser(), clock, (service, repo, out) -> {
                List<Alarm> alarms = all ? repo.bySubject(subject)
                        : service.open().stream().filter(a -> subject == null || a.subject().equals(subject)).toList();
                out.alarms(alarms, clock.instant());
                return 0;
            });
        }
    }

    @Command(name = "overdue", mixinStandardHelpOptions = true,
            description = "Open alarms past a deadline, from when the alarm was raised (gas: handled in 6 h, repaired in 24 h;"
                    + " heat: see docs/alarms.md).")
    static final class Overdue implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--at", description = "Judge deadlines at this time instead of now (e.g. a demo's simulated time).")
        String at;

        @Override
        public Integer call() {
            return options.run("overdue", "*", CliArgs.osUser(), options.clockAt(at), (service, repo, out) -> {
                List<AlarmService.Overdue> overdue = service.overdue();
                out.overdue(overdue);
                return 0;
            });
        }
    }

    @Command(name = "ack", mixinStandardHelpOptions = true,
            description = "Acknowledge an alarm: someone has taken it (gas: handled; heat: the customer contacted).")
    static final class Acknowledge implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--id", required = true, description = "Alarm id (see `alarms list`).")
        long id;

        @Option(names = "--by", required = true, description = "Who takes it (staff id; no customer data).")
        String by;

        @Override
        public Integer call() {
            return options.run("ack", Long.toString(id), by, (service, repo, out) -> {
                Alarm a = service.acknowledge(id, by.strip());
                out.line("alarm %d %s acknowledged by %s at %s", a.id(), a.kind(), by.strip(),
                        out.time(a.acknowledgedAt().orElseThrow()));
                return 0;
            });
        }
    }

    @Command(name = "on-site", mixinStandardHelpOptions = true,
            description = "Someone is on site (heat: within 30 min for a leak, 2 h for a repair); acknowledges it too if nobody had.")
    static final class OnSite implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--id", required = true, description = "Alarm id.")
        long id;

        @Option(names = "--by", required = true, description = "Who is on site (staff id).")
        String by;

        @Override
        public Integer call() {
            return options.run("on-site", Long.toString(id), by, (service, repo, out) -> {
                Alarm a = service.onSite(id, by.strip());
                out.line("alarm %d %s on site: %s at %s", a.id(), a.kind(), by.strip(),
                        out.time(a.doneOf(Milestone.ON_SITE).orElseThrow().at()));
                return 0;
            });
        }
    }

    @Command(name = "follow-up", mixinStandardHelpOptions = true,
            description = "The follow-up call to the customer after a resolved alarm (heat: within 48 h).")
    static final class FollowUp implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--id", required = true, description = "Alarm id.")
        long id;

        @Option(names = "--by", required = true, description = "Who called (staff id).")
        String by;

        @Option(names = "--note", defaultValue = "", description = "What the customer said.")
        String note;

        @Override
        public Integer call() {
            return options.run("follow-up", Long.toString(id), by, (service, repo, out) -> {
                Alarm a = service.followUp(id, by.strip(), note.strip());
                out.line("alarm %d %s followed up by %s at %s%s", a.id(), a.kind(), by.strip(),
                        out.time(a.doneOf(Milestone.FOLLOW_UP).orElseThrow().at()),
                        a.met(Milestone.FOLLOW_UP).map(m -> m ? " (in time)" : " (late)").orElse(""));
                return 0;
            });
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Of the alarms resolved in a month, per kind and deadline: how many met it (counts and %).")
    static final class DeadlineReport implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--month", required = true, description = "The month, YYYY-MM, in the utility's zone (--zone).")
        String month;

        @Override
        public Integer call() {
            java.time.YearMonth m;
            try {
                m = java.time.YearMonth.parse(month.strip());
            } catch (java.time.DateTimeException e) {
                throw new ConfigException("--month: expected YYYY-MM, got \"" + month + "\"");
            }
            return options.run("report", "month:" + m, CliArgs.osUser(), (service, repo, out) -> {
                out.report(m, options.zone(), service.report(m, options.zone()));
                return 0;
            });
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = "Resolve an alarm with what was found and done; one nobody acknowledged is acknowledged first (two steps).")
    static final class Resolve implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--id", required = true, description = "Alarm id.")
        long id;

        @Option(names = "--by", required = true, description = "Who resolved it (staff id).")
        String by;

        @Option(names = "--note", required = true, description = "What was found and done, e.g. \"joint resealed\".")
        String note;

        @Override
        public Integer call() {
            if (note.isBlank()) throw new ConfigException("--note: say what was found and done");
            return options.run("resolve", Long.toString(id), by, (service, repo, out) -> {
                Alarm a = service.resolve(id, by.strip(), note.strip());
                out.line("alarm %d %s resolved by %s at %s: %s", a.id(), a.kind(), by.strip(),
                        out.time(a.resolvedAt().orElseThrow()), note.strip());
                return 0;
            });
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Every step of one alarm: who, when, what.")
    static final class History implements Callable<Integer> {
        @Mixin
        StoreOption options;

        @Option(names = "--id", required = true, description = "Alarm id.")
        long id;

        @Override
        public Integer call() {
            return options.run("history", Long.toString(id), CliArgs.osUser(), (service, repo, out) -> {
                Optional<Alarm> a = service.find(id);
                if (a.isEmpty()) throw new ConfigException("no alarm " + id);
                out.alarms(List.of(a.get()), Instant.now());
                out.deadlines(a.get());
                for (AlarmStep s : repo.history(id)) {
                    out.line("  step %d  %-12s %-12s %s  %s%s", s.step(), s.state(), s.milestone().map(Milestone::label).orElse("-"),
                            out.time(s.at()), s.actor(), s.note().isBlank() ? "" : "  " + s.note());
                }
                return 0;
            });
        }
    }

    /** Plain aligned text for a terminal; times in the utility's zone. */
    static final class AlarmTable {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssXXX");
        private final PrintStream out;
        private final ZoneId zone;

        AlarmTable(PrintStream out, ZoneId zone) {
            this.out = out;
            this.zone = zone;
        }

        String time(Instant t) {
            return TIME.format(t.atZone(zone));
        }

        void line(String format, Object... args) {
            out.printf(format + "%n", args);
        }

        void alarms(List<Alarm> alarms, Instant now) {
            if (alarms.isEmpty()) {
                out.println("no alarms");
                return;
            }
            // observed: when the meter measured it; raised: when the utility learned (deadlines run from here)
            out.printf("%-6s %-20s %-16s %-12s %-25s %-25s %-12s %-25s %s%n", "id", "kind", "subject", "state", "observed",
                    "raised", "rule", "due", "detail");
            for (Alarm a : alarms) {
                String due = a.overdue(now).map(m -> "OVERDUE").orElseGet(() -> a.nextDue().map(this::time).orElse("-"));
                out.printf("%-6d %-20s %-16s %-12s %-25s %-25s %-12s %-25s %s%n", a.id(), a.kind(), a.subject(), a.state(),
                        time(a.observedAt()), time(a.raisedAt()), a.rule(), due, a.detail());
            }
        }

        /** Each deadline of one alarm: due, reached, met. */
        void deadlines(Alarm a) {
            for (Milestone m : Milestone.values()) {
                Optional<Instant> due = a.dueOf(m);
                Optional<Alarm.Mark> done = a.doneOf(m);
                if (due.isEmpty() && done.isEmpty()) continue;
                out.printf("  %-12s due %-25s done %-25s %s%n", m.label(), due.map(this::time).orElse("-"),
                        done.map(d -> time(d.at()) + " " + d.by()).orElse("-"),
                        a.met(m).map(met -> met ? "met" : "MISSED").orElse(""));
            }
        }

        void report(java.time.YearMonth month, ZoneId zone, List<DeadlineShare> shares) {
            out.printf("alarm deadlines of the alarms resolved in %s (%s)%n", month, zone);
            if (shares.isEmpty()) {
                out.println("no resolved alarms with deadlines");
                return;
            }
            out.printf("%-20s %-12s %-12s %6s %6s %8s%n", "kind", "rule", "deadline", "met", "of", "share");
            long met = 0;
            long applied = 0;
            for (DeadlineShare s : shares) {
                out.printf("%-20s %-12s %-12s %6d %6d %8s%n", s.kind(), s.rule(), s.milestone().label(), s.met(), s.applied(),
                        s.percentMet().map(p -> p.toPlainString() + " %").orElse("-"));
                met += s.met();
                applied += s.applied();
            }
            out.printf("%-46s %6d %6d %8s%n", "all deadlines", met, applied,
                    DeadlineShare.percent(met, applied).map(p -> p.toPlainString() + " %").orElse("-"));
        }

        void overdue(List<AlarmService.Overdue> overdue) {
            if (overdue.isEmpty()) {
                out.println("no overdue alarms");
                return;
            }
            out.printf("%-6s %-20s %-16s %-12s %-25s %s%n", "id", "kind", "subject", "state", "raised", "missed");
            for (AlarmService.Overdue o : overdue) {
                Alarm a = o.alarm();
                out.printf("%-6d %-20s %-16s %-12s %-25s %s%n", a.id(), a.kind(), a.subject(), a.state(),
                        time(a.raisedAt()), o.missed());
            }
        }

    }
}
