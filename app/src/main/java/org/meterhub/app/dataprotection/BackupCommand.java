package org.meterhub.app.dataprotection;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.backup.Backups;
import org.meterhub.engine.backup.Manifest;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meterhub backup --to DIR} and {@code meterhub backup verify DIR}. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Back up the store (SQLite online backup, PostgreSQL pg_dump -Fc) with a manifest of per-table row"
                + " counts and checksums; 'backup verify DIR' restores it into a scratch store and compares.",
        subcommands = BackupCommand.Verify.class)
public final class BackupCommand implements Callable<Integer> {
    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;
    @Option(names = "--to", description = "A new (or empty) directory for the backup.")
    Path to;

    @Override
    public Integer call() throws IOException, SQLException {
        if (to == null) throw new ConfigException("--to: name the directory to write the backup into");
        try (TimeSeriesStore ts = CliArgs.existingStore(store)) {
            ts.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli backup", "*", "to=" + to.toAbsolutePath(), "cli"));
        }
        try {
            Manifest m = Backups.backup(store, to, Progress.onTerminal());
            long rows = m.tables().values().stream().mapToLong(s -> s.rows()).sum();
            System.out.println("backed up " + m.tables().size() + " tables, " + rows + " rows into " + to.resolve(m.file())
                    + " (manifest " + to.resolve(Manifest.NAME) + ")");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return 0;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Restore the backup into a scratch store and compare row counts and checksums per table with the"
                    + " manifest; exits 1 naming the tables that differ.")
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", description = "The backup directory.")
        Path dir;
        @Option(names = "--store", description = "For a PostgreSQL backup: a database URL on the server to create the scratch"
                + " database on (its role needs CREATEDB).")
        String server;

        @Override
        public Integer call() throws IOException, SQLException {
            Backups.Verification v;
            try {
                v = Backups.verify(dir, server, Progress.onTerminal());
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConfigException(e.getMessage());
            }
            if (!v.ok()) {
                System.err.println("backup " + dir + " FAILED verification: " + String.join("; ", v.differing()));
                return 1;
            }
            long rows = v.restored().values().stream().mapToLong(s -> s.rows()).sum();
            System.out.println("backup " + dir + " OK: restored into a scratch store, " + v.restored().size() + " tables, "
                    + rows + " rows, checksums match the manifest (taken " + v.manifest().created() + ")");
            return 0;
        }
    }
}
