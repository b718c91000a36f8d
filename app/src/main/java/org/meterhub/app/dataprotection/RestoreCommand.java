package org.meterhub.app.dataprotection;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.backup.Backups;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meterhub restore --from DIR --to URL}: into a new, empty store only. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a backup into a new store (a SQLite file that does not exist yet, or an empty PostgreSQL"
                + " database); refuses a store that already holds data.")
public final class RestoreCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "The backup directory.")
    Path from;
    @Option(names = "--to", required = true, description = "Store URL to restore into.")
    String to;

    @Override
    public Integer call() throws IOException, SQLException {
        try {
            Backups.restore(from, to, Progress.onTerminal());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        // Recorded in the restored store: the first thing it says is where it came from and who put it there.
        try (TimeSeriesStore ts = StoreFactory.open(to)) {
            ts.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli restore", "*", "from=" + from.toAbsolutePath(), "cli"));
        }
        System.out.println("restored " + from + " into " + to.replaceAll("(?i)(password=)[^&;]*", "$1***"));
        return 0;
    }
}
