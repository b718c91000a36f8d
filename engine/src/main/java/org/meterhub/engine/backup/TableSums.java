package org.meterhub.engine.backup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.meterhub.engine.store.Dialect;

/**
 * Row count and MD5 of every table of a store, rows in a total order (every column, left to right),
 * so two copies of the same data give the same sums whatever their physical order. Rows are
 * streamed (fetch size), so memory stays bounded on large tables.
 *
 * <p>The digest is computed over the JDBC text of each value, which is the same for a store and its
 * restored copy of the same dialect; a SQLite sum is not comparable with a PostgreSQL one.
 */
public final class TableSums {

    /** One table's sums. */
    public record Sum(long rows, String md5) {
    }

    private TableSums() {
    }

    /** Sums of every base table of the connection's schema (PostgreSQL: partitions, not their parents). */
    public static Map<String, Sum> of(Connection c, Dialect dialect) throws SQLException {
        Map<String, Sum> sums = new LinkedHashMap<>();
        for (String table : tables(c, dialect)) sums.put(table, of(c, table));
        return sums;
    }

    static List<String> tables(Connection c, Dialect dialect) throws SQLException {
        String sql = dialect == Dialect.SQLITE
                ? "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name"
                : "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " where n.nspname = current_schema() and c.relkind = 'r' order by 1";
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }

    private static Sum of(Connection c, String table) throws SQLException {
        String quoted = "\"" + table.replace("\"", "\"\"") + "\"";
        int columns;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select * from " + quoted + " where 1 = 0")) {
            columns = rs.getMetaData().getColumnCount();
        }
        StringBuilder order = new StringBuilder();
        for (int i = 1; i <= columns; i++) order.append(i == 1 ? "" : ", ").append(i);
        MessageDigest md5 = md5();
        long rows = 0;
        boolean auto = c.getAutoCommit();
        if (auto) c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
        try (Statement st = c.createStatement()) {
            st.setFetchSize(2_000);
            try (ResultSet rs = st.executeQuery("select * from " + quoted + " order by " + order)) {
                while (rs.next()) {
                    for (int i = 1; i <= columns; i++) {
                        String v = rs.getString(i);
                        md5.update((v == null ? "\u0000N" : v).getBytes(StandardCharsets.UTF_8));
                        md5.update((byte) 0x1f);
                    }
                    md5.update((byte) 0x1e);
                    rows++;
                }
            }
        } finally {
            if (auto) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        return new Sum(rows, HexFormat.of().formatHex(md5.digest()));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }

    /** Helper so callers can say which dialect a URL speaks without opening it. */
    public static Dialect dialectOf(String url) {
        if (url != null && url.startsWith("jdbc:sqlite:")) return Dialect.SQLITE;
        if (url != null && url.startsWith("jdbc:postgresql://")) return Dialect.POSTGRESQL;
        throw new IllegalArgumentException("expected a jdbc:sqlite:<file> or jdbc:postgresql://... URL");
    }
}
