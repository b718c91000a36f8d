package org.meterhub.app.dataprotection;

import java.util.Map;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.app.config.DataProtectionFile;
import org.meterhub.app.security.SettingsAudit;
import org.meterhub.engine.subject.AccountErasure;
import org.meterhub.engine.subject.Retention;
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
    @Option(names = "--settings", paramLabel = "FILE", description = "Data-protection settings, YAML (docs/security.md):"
            + " erase.keep-measurement-years and erase.keep-billing-years (default 10 each; the domain rules state no"
            + " period: set the utility's legal one).")
    java.nio.file.Path settings;
    @Option(names = "--keep-years", description = "Overrides both retention settings for this erasure, years (1 to 100).")
    Integer keepYears;
    @Option(names = "--dry-run", description = "Only say what would be pseudonymised and kept.")
    boolean dryRun;

    @Override
    public Integer call() {
        Retention retention = DataProtectionFile.load(settings).erase().retention();
        if (keepYears != null) {
            try {
                retention = Retention.both(keepYears);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--keep-years: " + e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
            }
        }
        try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
            if (settings != null) SettingsAudit.record(db, "data-protection", settings, "cli");
            AccountErasure.Result r = AccountErasure.erase(db, account, CliArgs.osUser(), reason, retention, dryRun, "cli");
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
