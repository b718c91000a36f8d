package org.meterhub.engine.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Backup and restore of a PostgreSQL store whose readings and consumption are TimescaleDB hypertables.
 *
 * <p>{@code pg_dump}/{@code pg_restore} of such a database restores TimescaleDB's own catalog and chunk tables,
 * which TimescaleDB allows only to a superuser: it wants {@code timescaledb_pre_restore()} (an
 * {@code ALTER DATABASE … SET timescaledb.restoring}) around {@code pg_restore}, and the chunks are created in
 * schemas the extension's installer owns. Measured on TimescaleDB 2.28 with the store's role (CREATEDB, not a
 * superuser): {@code pg_restore} stops at {@code permission denied for schema _timescaledb_internal}, and
 * {@code timescaledb_pre_restore()} at {@code permission denied to set parameter "timescaledb.restoring"}.
 *
 * <p>So the data is backed up table by table instead, as TimescaleDB's documentation does for single hypertables:
 * every table of the store's schema (hypertables read through their parent, compressed chunks included) is copied
 * out in COPY text format, gzipped, inside the same exported snapshot the manifest's sums come from. A restore opens
 * the empty target as a store (the migrations build the schema, hypertables, compression policy and continuous
 * aggregates exactly as for a new store, with the store's own role), replaces the few rows the migrations seed, copies
 * each table back in (referenced tables first), sets the identity sequences past the restored ids, and refreshes the
 * continuous aggregates from the restored rows. The same backup restores into plain PostgreSQL too.
 */
final class TimescaleBackup {
    static final String DIR = "tables";

    private TimescaleBackup() {
    }

    /** Whether the database at {@code c} has the timescaledb extension (its hypertables need this path). */
    static boolean uses(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select 1 from pg_extension where extname = 'timescaledb'")) {
            return rs.next();
        }
    }

    /** Copies every table of {@code tables} out of {@code c}'s current transaction (its snapshot) into {@code dir}/tables/. */
    static void copyOut(Connection c, Collection<String> tables, Path dir, Consumer<String> progress)
            throws SQLException, IOException {
        Path out = Files.createDirectories(dir.resolve(DIR));
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        for (String table : tables) {
            progress.accept("copying table " + table);
            try (OutputStream file = new GZIPOutputStream(Files.newOutputStream(out.resolve(table + ".copy.gz")), 1 << 16)) {
                copy.copyOut("copy (select " + columnList(c, table) + " from " + quote(table) + ") to stdout", file);
            }
        }
    }

    /** Restores a {@link #copyOut} backup into the empty database at {@code url}. */
    static void restore(Path dir, Manifest manifest, String url, Consumer<String> progress) throws SQLException, IOException {
        progress.accept("creating the store's schema in database " + PgConnection.parse(url).database()
                + " (migrations; hypertables and continuous aggregates when TimescaleDB is there)");
        try (TimeSeriesStore created = StoreFactory.open(url)) {
            // the schema is made; nothing else
        }
        Path data = dir.resolve(DIR);
        try (Connection c = java.sql.DriverManager.getConnection(url)) {
            Set<String> present = new HashSet<>(TableSums.tables(c, org.meterhub.engine.store.Dialect.POSTGRESQL));
            for (String table : manifest.tables().keySet()) {
                if (!present.contains(table)) {
                    throw new IllegalArgumentException("table " + table + " of the backup does not exist in a new store of this"
                            + " meterhub version; restore with the version that took the backup");
                }
                if (!Files.exists(data.resolve(table + ".copy.gz"))) {
                    throw new IllegalArgumentException(data.resolve(table + ".copy.gz") + " is missing");
                }
            }
            TableSums.Sum migrations = manifest.tables().get("schema_migrations");
            long here;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from schema_migrations")) {
                rs.next();
                here = rs.getLong(1);
            }
            if (migrations != null && migrations.rows() != here) {
                // The rows are copied into this version's schema: a different schema would take them differently.
                throw new IllegalArgumentException("the backup was taken by a meterhub with " + migrations.rows()
                        + " schema migrations, this one has " + here + ": restore with the version that took it");
            }
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            try (Statement st = c.createStatement()) {
                List<String> order = referencedFirst(c, manifest.tables().keySet());
                // Rows the migrations seeded (applied versions, default settings) are replaced by the backup's.
                for (int i = order.size() - 1; i >= 0; i--) {
                    if (hasRows(st, order.get(i))) st.execute("delete from " + quote(order.get(i)));
                }
                for (String table : order) {
                    progress.accept("restoring table " + table);
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(data.resolve(table + ".copy.gz")), 1 << 16)) {
                        copy.copyIn("copy " + quote(table) + " (" + columnList(c, table) + ") from stdin", in);
                    }
                }
                advanceSequences(c, order);
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(true);
            refreshContinuousAggregates(c, progress);
        }
    }

    private static boolean hasRows(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("select exists (select 1 from " + quote(table) + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The table's stored columns in their order (computed columns are left to the database). */
    private static String columnList(Connection c, String table) throws SQLException {
        List<String> cols = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select a.attname from pg_attribute a join pg_class t on t.oid = a.attrelid"
                + " join pg_namespace n on n.oid = t.relnamespace where n.nspname = current_schema() and t.relname = ?"
                + " and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) cols.add(quote(rs.getString(1)));
            }
        }
        if (cols.isEmpty()) throw new SQLException("table " + table + " has no columns in " + c.getSchema());
        return String.join(", ", cols);
    }

    /** Tables in an order where every foreign key's target comes before the table holding it. */
    static List<String> referencedFirst(Connection c, Collection<String> tables) throws SQLException {
        Map<String, Set<String>> needs = new HashMap<>();
        for (String t : tables) needs.put(t, new HashSet<>());
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select src.relname, dst.relname"
                + " from pg_constraint k join pg_class src on src.oid = k.conrelid join pg_class dst on dst.oid = k.confrelid"
                + " join pg_namespace n on n.oid = src.relnamespace where k.contype = 'f' and n.nspname = current_schema()")) {
            while (rs.next()) {
                String from = rs.getString(1), to = rs.getString(2);
                if (needs.containsKey(from) && needs.containsKey(to) && !from.equals(to)) needs.get(from).add(to);
            }
        }
        LinkedHashSet<String> done = new LinkedHashSet<>();
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(tables));
        while (done.size() < sorted.size()) {
            boolean progressed = false;
            for (String t : sorted) {
                if (!done.contains(t) && done.containsAll(needs.get(t))) {
                    done.add(t);
                    progressed = true;
                }
            }
            if (!progressed) throw new SQLException("foreign keys form a cycle among " + needs);
        }
        return new ArrayList<>(done);
    }

    /** Identity and serial sequences continue after the restored ids, so the next insert does not collide. */
    private static void advanceSequences(Connection c, Collection<String> tables) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select table_name, column_name"
                + " from information_schema.columns where table_schema = current_schema()"
                + " and (is_identity = 'YES' or column_default like 'nextval(%')")) {
            while (rs.next()) columns.add(new String[] {rs.getString(1), rs.getString(2)});
        }
        try (Statement st = c.createStatement()) {
            for (String[] tc : columns) {
                if (!tables.contains(tc[0])) continue;
                String sql = "select setval(pg_get_serial_sequence('" + quote(tc[0]).replace("'", "''") + "', '"
                        + tc[1].replace("'", "''") + "'), coalesce((select max(" + quote(tc[1]) + ") from " + quote(tc[0])
                        + "), 0) + 1, false)";
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                }
            }
        }
    }

    private static void refreshContinuousAggregates(Connection c, Consumer<String> progress) throws SQLException {
        if (!uses(c)) return;
        List<String> views = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select view_schema, view_name from"
                + " timescaledb_information.continuous_aggregates where view_schema = current_schema() order by view_name")) {
            while (rs.next()) views.add(quote(rs.getString(1)) + "." + quote(rs.getString(2)));
        }
        try (Statement st = c.createStatement()) {
            for (String v : views) {
                progress.accept("refreshing continuous aggregate " + v + " from the restored rows");
                refresh(st, v);
            }
        }
    }

    /**
     * The refresh policies the store's open added may be refreshing the same aggregate in the background right now;
     * TimescaleDB then refuses a second refresh of the window. Waits for it (a few seconds at most on fresh data).
     */
    private static void refresh(Statement st, String view) throws SQLException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try {
                st.execute("call refresh_continuous_aggregate('" + view.replace("'", "''") + "', null, null)");
                return;
            } catch (SQLException e) {
                if (e.getMessage() == null || !e.getMessage().contains("concurrent refresh") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting to refresh " + view, e);
            }
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
