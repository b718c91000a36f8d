package org.meterhub.app.balance;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.DistrictBalanceRun;
import org.meterhub.engine.leak.NetworkBalance;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meterhub balance}: a district's inlet against its customer meters per utility day; a
 * leak-or-theft alarm (NETWORK_IMBALANCE on {@code district:<id>}) after {@code --days} days in a
 * row beyond the meters' combined uncertainty. Meant to run daily (cron) over the last week.
 */
@Command(name = "balance", mixinStandardHelpOptions = true,
        description = "District network balance per utility day: inlet vs the sum of customer meters; "
                + "raises a NETWORK_IMBALANCE alarm after several days beyond the meters' uncertainty.")
public final class BalanceCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    org.meterhub.app.alarm.DeadlinesOption deadlines;

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--district", required = true, description = "District id.")
    String district;

    @Option(names = "--from", required = true, description = "First utility day, YYYY-MM-DD.")
    String from;

    @Option(names = "--to", required = true, description = "Day after the last, YYYY-MM-DD (exclusive).")
    String to;

    @Option(names = "--days", defaultValue = "3", description = "Days in a row beyond the uncertainty before an alarm (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--linear", description = "Add the meters' uncertainties linearly (fewer alarms) instead of root-sum-square.")
    boolean linear;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LocalDate first = day("--from", from);
        LocalDate end = day("--to", to);
        if (days < 1) throw new ConfigException("--days: must be at least 1, got " + days);
        long span = java.time.temporal.ChronoUnit.DAYS.between(first, end);
        if (span <= 0 || span > DistrictBalanceRun.MAX_DAYS) {
            throw new ConfigException("--to: must be 1 to " + DistrictBalanceRun.MAX_DAYS + " days after --from");
        }
        if (SqlDatabase.isPrivateMemory(store)) {
            throw new ConfigException("--store: an in-memory store has no districts; name a store file or database");
        }
        TimeSeriesStore db = CliArgs.store(store);
        try (db; SqlDatabase rules = SqlDatabase.open(store)) {
            org.meterhub.app.security.CliAudit.record(db, "balance", "district:" + district,
                    "from=" + first + " to=" + end + " days=" + days + (linear ? " linear" : ""));
            AlarmService alarms = new AlarmService(new JdbcAlarmRepository(rules), deadlines.load().alarmDeadlines(),
                    AlarmSink.none(), Clock.systemUTC());
            NetworkBalance balance = new NetworkBalance(days,
                    linear ? NetworkBalance.Combination.LINEAR : NetworkBalance.Combination.ROOT_SUM_SQUARE);
            DistrictBalanceRun.Result r;
            try {
                r = new DistrictBalanceRun(db, balance, alarms, new BigDecimal("1.5")).run(district, first, end, db.rollupZone());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--district: " + e.getMessage());
            }
            print(spec.commandLine().getOut(), r);
        }
        return 0;
    }

    private static LocalDate day(String option, String text) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeException e) {
            throw new ConfigException(option + ": expected YYYY-MM-DD, got \"" + text + "\"");
        }
    }

    static void print(PrintWriter out, DistrictBalanceRun.Result r) {
        out.printf("district %s: %d inlet(s), %d customer meter(s)%n", r.districtId(), r.inlets(), r.customers());
        out.printf("%-10s %14s %14s %14s %14s  %s%n", "day", "inlet m3", "customers m3", "imbalance m3", "uncertainty m3", "");
        for (DistrictBalanceRun.Day d : r.days()) {
            if (d.balance().isEmpty()) {
                out.printf("%-10s not judged: no data from %s%n", d.day(), String.join(", ", d.metersWithoutData()));
                continue;
            }
            NetworkBalance.DayBalance b = d.balance().get();
            out.printf("%-10s %14s %14s %14s %14s  %s%n", d.day(), m3(b.supplyL()), m3(b.customersL()),
                    m3(b.imbalanceL()), m3(b.uncertaintyL()), b.exceeds() ? "BEYOND" : "ok");
        }
        for (Alarm a : r.alarms()) {
            out.printf("ALARM #%d %s %s: %s%n", a.id(), a.kind(), a.subject(), a.detail());
        }
        out.printf("findings %d%n", r.findings().size());
        out.flush();
    }

    private static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }
}
