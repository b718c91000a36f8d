package org.meterhub.app.dataprotection;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.subject.AccountExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meterhub export --account A}: a data subject's access request, answered from the store. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Everything the store holds about an account (account, meters, readings, consumption, bills, alarms,"
                + " prepaid ledger, who accessed it) as JSON or CSV. Audited.")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;
    @Option(names = "--account", required = true, description = "The account id.")
    String account;
    @Option(names = "--format", defaultValue = "json", description = "json (one file) or csv (one file per kind of record).")
    String format;
    @Option(names = "--out", defaultValue = ".", description = "Directory to write into (default: the current one).")
    Path out;
    @picocli.CommandLine.Mixin
    org.meterhub.app.security.PurposeOption purpose;

    @Override
    public Integer call() throws IOException {
        AccountExport.Format f = switch (format.toLowerCase(Locale.ROOT)) {
            case "json" -> AccountExport.Format.JSON;
            case "csv" -> AccountExport.Format.CSV;
            default -> throw new ConfigException("--format: expected json or csv, got '" + format + "'");
        };
        try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
            AccountExport.Result r = AccountExport.export(db, account, f, out, CliArgs.osUser(), "cli", purpose.value(),
                    Progress.onTerminal());
            if (r.rows().get("accounts") == 0) {
                System.err.println("note: no account " + account + " in the store; the files hold what other records name it");
            }
            r.files().forEach(p -> System.out.println(p));
            System.out.println(r.rows().values().stream().mapToLong(Long::longValue).sum() + " rows exported");
        }
        return 0;
    }
}
