package org.meterhub.app.visit;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.query.TimeArgs;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.attempt.JdbcReadAttempts;
import org.meterhub.engine.attempt.ReadAttempt;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meterhub visits record}: the reading team enters a visit to a manual (walk-by) meter. A failed
 * visit is a recorded read attempt: three of them in the window allow a residential estimate.
 */
@Command(name = "visits", mixinStandardHelpOptions = true, subcommands = VisitsCommand.Record.class,
        description = "Reading visits to manual meters: record one (a failed visit counts towards \"three times not read\").")
public final class VisitsCommand implements Runnable {
    @Override
    public void run() {
        throw new ConfigException("visits: expected a subcommand: record");
    }

    @Command(name = "record", mixinStandardHelpOptions = true,
            description = "Record a visit: --account A --at T --result failed|read [--note TEXT] [--by STAFF].")
    public static final class Record implements Callable<Integer> {
        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--account", required = true, description = "The account visited.")
        String account;

        @Option(names = "--at", required = true, description = "When: 2026-11-03T10:30 (utility zone) or an ISO time with offset.")
        String at;

        @Option(names = "--result", required = true, description = "failed (not read: nobody home, meter hidden ...) or read.")
        String result;

        @Option(names = "--note", defaultValue = "", description = "Why it failed, what was found.")
        String note;

        @Option(names = "--by", description = "Who visited (default: the OS user).")
        String by;

        @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "The utility's time zone (default ${DEFAULT-VALUE}).")
        String zoneName;

        @Override
        public Integer call() {
            ZoneId zone = CliArgs.zone(zoneName);
            Instant when = TimeArgs.parse("--at", at, zone);
            ReadAttempt.Result r;
            try {
                r = ReadAttempt.Result.valueOf(result.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--result: expected failed or read, got \"" + result + "\"");
            }
            if (SqlDatabase.isPrivateMemory(store)) {
                throw new ConfigException("--store: an in-memory store has no accounts; name a store file or database");
            }
            String who = by != null && !by.isBlank() ? by : CliArgs.osUser();
            try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
                Optional<Account> a = ts.accounts(null).stream().filter(x -> x.accountId().equals(account)).findFirst();
                if (a.isEmpty()) throw new ConfigException("--account: no account " + account + " in the store");
                if (a.get().meterId() == null) throw new ConfigException("--account: account " + account + " has no meter");
                Instant now = Instant.now();
                ts.audit(new AuditEntry(now, who, "cli visits record", account, "at=" + when + "&result=" + r, "cli"));
                boolean added = new JdbcReadAttempts(db).record(new ReadAttempt(account, a.get().meterId(),
                        ReadAttempt.Channel.VISIT, r, when, note, who, now));
                System.out.printf("%s visit to account %s (meter %s) at %s by %s%s%n", r == ReadAttempt.Result.FAILED
                        ? "failed" : "successful", account, a.get().meterId(), when.atZone(zone).toOffsetDateTime(), who,
                        added ? "" : ": recorded before, kept as it was");
            }
            return 0;
        }
    }
}
