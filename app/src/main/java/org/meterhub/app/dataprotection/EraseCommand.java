package org.meterhub.app.dataprotection;

import java.util.Map;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.subject.AccountErasure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meterhub erase --account A}: a data subject's erasure request, as far as a utility may erase. */
@Command(name = "erase", mixinStandardHelpOptions = true,
        description = "Pseudonymise an account's personal fields, record who asked and why, and say what must be kept"
                + " for billing and metrology. Audited.")
public final class EraseCommand implements Callable<Integer> {
    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;
    @Option(names = "--account", required = true, description = "The account id.")
    String account;
    @Option(names = "--reason", required = true, description = "Why: the request's reference.")
    String reason;
    @Option(names = "--keep-years", defaultValue = "10",
            description = "Retention of billing and metrology records, years (default ${DEFAULT-VALUE}; the domain rules state"
                    + " none: set the utility's legal period).")
    int keepYears;
    @Option(names = "--dry-run", description = "Only say what would be pseudonymised and kept.")
    boolean dryRun;

    @Override
    public Integer call() {
        try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
            AccountErasure.Result r = AccountErasure.erase(db, account, CliArgs.osUser(), reason, keepYears, dryRun, "cli");
            System.out.println(dryRun ? "would pseudonymise:" : "pseudonymised (erasure #" + r.erasureId() + "):");
            for (Map.Entry<String, Long> e : r.pseudonymised().entrySet()) {
                System.out.println("  " + e.getKey() + ": " + e.getValue() + " rows");
            }
            System.out.println("kept, and why:");
            r.kept().forEach(k -> System.out.println("  - " + k));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return 0;
    }
}
