package org.meterhub.engine.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.meterhub.engine.store.Dialect;
import org.meterhub.engine.store.StoreException;

/**
 * Backup, restore and restore-tested verification of a store.
 *
 * <p>SQLite: the online backup API ({@code backup to}), which copies a consistent snapshot while
 * writers carry on; the sums are then taken from the copy itself. PostgreSQL: {@code pg_dump -Fc}
 * inside an exported snapshot, with the sums computed in the same snapshot, so the manifest describes
 * exactly the data in the dump even while the engine writes. PostgreSQL with TimescaleDB: the tables' rows
 * copied out in that snapshot and copied into a store the migrations build ({@link TimescaleBackup}: a
 * TimescaleDB catalog can be restored only by a superuser).
 */
public final class Backups {

    static final String SQLITE_FILE = "store.db";
    static final String PG_FILE = "store.pgdump";

    /** The outcome of a verify: tables whose rows or sums differ (or that are missing on one side). */
    public record Verification(Manifest manifest, Map<String, TableSums.Sum> restored, List<String> differing) {
        public boolean ok() {
            return differing.isEmpty();
        }
    }

    private Backups() {
    }

    /** Backs up the store at {@code url} into {@code dir} (created; must hold no earlier backup). */
    public static Manifest backup(String url, Path dir, Consumer<String> progress) throws IOException, SQLException {
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve(Manifest.NAME))) throw new IllegalArgumentException(dir + " already holds a backup");
        Dialect dialect = TableSums.dialectOf(url);
        Manifest manifest;
        if (dialect == Dialect.SQLITE) {
            Path file = dir.resolve(SQLITE_FILE).toAbsolutePath();
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                progress.accept("copying " + url.substring("jdbc:sqlite:".length()) + " with the online backup API");
                st.executeUpdate("backup to " + quoted(file));
            }
            progress.accept("summing the tables of the copy");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                manifest = new Manifest(dialect, SQLITE_FILE, Instant.now(), TableSums.of(c, dialect));
            }
        } else {
            PgConnection pg = PgConnection.parse(url);
            try (Connection c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("set transaction isolation level repeatable read, read only");
                    String snapshot;
                    try (ResultSet rs = st.executeQuery("select pg_export_snapshot()")) {
                        rs.next();
                        snapshot = rs.getString(1);
                    }
                    String file;
                    if (TimescaleBackup.uses(c)) {
                        // pg_restore of TimescaleDB's catalog needs a superuser: copy the tables' rows instead
                        progress.accept("TimescaleDB: copying every table of database " + pg.database() + " in one snapshot");
                        TimescaleBackup.copyOut(c, TableSums.tables(c, dialect), dir, progress);
                        file = TimescaleBackup.DIR;
                    } else {
                        progress.accept("pg_dump -Fc of database " + pg.database());
                        run(pg, List.of("pg_dump", "-Fc", "--no-owner", "--snapshot=" + snapshot,
                                "-f", dir.resolve(PG_FILE).toAbsolutePath().toString()));
                        file = PG_FILE;
                    }
                    progress.accept("summing the tables in the backup's snapshot");
                    manifest = new Manifest(dialect, file, Instant.now(), TableSums.of(c, dialect));
                } finally {
                    c.rollback();
                }
            }
        }
        manifest.write(dir);
        return manifest;
    }

    /** Restores the backup in {@code dir} into the store at {@code url}, which must be empty. */
    public static void restore(Path dir, String url, Consumer<String> progress) throws IOException, SQLException {
        Manifest manifest = Manifest.read(dir);
        Dialect dialect = TableSums.dialectOf(url);
        if (dialect != manifest.dialect()) {
            throw new IllegalArgumentException("the backup in " + dir + " is of a " + manifest.dialect()
                    + " store; restore it into a store of the same kind");
        }
        Path data = dir.resolve(manifest.file()).toAbsolutePath();
        if (!Files.exists(data)) throw new IllegalArgumentException(data + " is missing");
        if (dialect == Dialect.SQLITE) {
            Path target = Path.of(url.substring("jdbc:sqlite:".length()));
            if (Files.exists(target) && Files.size(target) > 0) {
                throw new IllegalArgumentException(target + " exists and is not empty: restore only into a new store");
            }
            if (target.toAbsolutePath().getParent() != null) Files.createDirectories(target.toAbsolutePath().getParent());
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                progress.accept("restoring " + data + " with the online backup API");
                st.executeUpdate("restore from " + quoted(data));
            }
        } else {
            try (Connection c = DriverManager.getConnection(url)) {
                if (!TableSums.tables(c, dialect).isEmpty()) {
                    throw new IllegalArgumentException("database " + PgConnection.parse(url).database()
                            + " already has tables: restore only into an empty database");
                }
            }
            if (manifest.file().equals(TimescaleBackup.DIR)) {
                TimescaleBackup.restore(dir, manifest, url, progress);
                return;
            }
            progress.accept("pg_restore into database " + PgConnection.parse(url).database());
            run(PgConnection.parse(url), List.of("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                    "-d", PgConnection.parse(url).database(), data.toString()));
        }
    }

    /**
     * Restores the backup in {@code dir} into a scratch store (a temporary SQLite file, or a new
     * PostgreSQL database on the server of {@code pgServerUrl}, dropped afterwards) and compares every
     * table's rows and sums with the manifest.
     */
    public static Verification verify(Path dir, String pgServerUrl, Consumer<String> progress) throws IOException, SQLException {
        Manifest manifest = Manifest.read(dir);
        if (manifest.dialect() == Dialect.SQLITE) {
            Path scratch = Files.createTempDirectory("meterhub-verify");
            Path file = scratch.resolve("scratch.db");
            try {
                restore(dir, "jdbc:sqlite:" + file, progress);
                progress.accept("summing the tables of the restored copy");
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                    return compare(manifest, TableSums.of(c, Dialect.SQLITE));
                }
            } finally {
                try (var files = Files.list(scratch)) {
                    for (Path p : files.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(scratch);
            }
        }
        Objects.requireNonNull(pgServerUrl, "a PostgreSQL backup is verified on a server: name one with --store");
        PgConnection server = PgConnection.parse(pgServerUrl);
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String scratch = "mh_verify_" + HexFormat.of().formatHex(random);
        try (Connection admin = DriverManager.getConnection(pgServerUrl); Statement st = admin.createStatement()) {
            progress.accept("creating scratch database " + scratch);
            st.execute("create database " + scratch);
            try {
                String url = server.urlOf(scratch);
                restore(dir, url, progress);
                progress.accept("summing the tables of the restored copy");
                try (Connection c = DriverManager.getConnection(url)) {
                    return compare(manifest, TableSums.of(c, Dialect.POSTGRESQL));
                }
            } finally {
                st.execute("drop database if exists " + scratch + " with (force)");
                progress.accept("dropped scratch database " + scratch);
            }
        }
    }

    static Verification compare(Manifest manifest, Map<String, TableSums.Sum> restored) {
        List<String> differing = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(manifest.tables().keySet());
        all.addAll(restored.keySet());
        for (String table : all) {
            TableSums.Sum want = manifest.tables().get(table);
            TableSums.Sum got = restored.get(table);
            if (want == null) differing.add(table + " (not in the manifest)");
            else if (got == null) differing.add(table + " (missing from the restored store)");
            else if (want.rows() != got.rows()) differing.add(table + " (rows " + want.rows() + " in the manifest, " + got.rows() + " restored)");
            else if (!want.md5().equals(got.md5())) differing.add(table + " (same row count, different checksum)");
        }
        return new Verification(manifest, restored, differing);
    }

    private static String quoted(Path file) {
        String s = file.toString();
        if (s.contains("\"")) throw new IllegalArgumentException("a backup path may not contain a double quote: " + s);
        return "\"" + s + "\"";
    }

    /** Runs a PostgreSQL client tool; its output becomes the message when it fails. */
    private static void run(PgConnection pg, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(pg.environment());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " could not be started (install the PostgreSQL client, e.g."
                    + " apt-get install postgresql-client): " + e.getMessage(), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            int rc = p.waitFor();
            if (rc != 0) throw new StoreException(command.get(0) + " failed (exit " + rc + "): " + output.strip(), null);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException(command.get(0) + " interrupted", e);
        }
    }
}
