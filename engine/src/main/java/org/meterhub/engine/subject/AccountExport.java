package org.meterhub.engine.subject;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * Everything the store holds about one account ({@link AccountRows}), written as one JSON document or
 * one CSV file per kind of record. Rows are streamed from the database to the file (fetch size, one
 * transaction so the export is one consistent snapshot), so memory does not grow with the readings.
 * The export is audited before any row is read.
 */
public final class AccountExport {

    public enum Format { JSON, CSV }

    /** Rows written per kind of record, in export order. */
    public record Result(List<Path> files, Map<String, Long> rows) {
    }

    private AccountExport() {
    }

    public static Result export(SqlDatabase db, String accountId, Format format, Path outDir, String actor, String client,
                                Consumer<String> progress) throws IOException {
        return export(db, accountId, format, outDir, actor, client, "", progress);
    }

    /** @param purpose why the account is exported (e.g. the subject access request's reference); kept in the audit row */
    public static Result export(SqlDatabase db, String accountId, Format format, Path outDir, String actor, String client,
                                String purpose, Consumer<String> progress) throws IOException {
        Files.createDirectories(outDir);
        SubjectAudit.write(db, actor, "export account", accountId, "format=" + format.name().toLowerCase(), client, purpose);
        Map<String, Long> counts = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        String safe = accountId.replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            db.tx("export account", c -> {
                try {
                    write(c, accountId, format, outDir, safe, files, counts, progress);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return null;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Result(files, counts);
    }

    private static void write(Connection c, String accountId, Format format, Path outDir, String safe, List<Path> files,
                              Map<String, Long> counts, Consumer<String> progress) throws SQLException, IOException {
            if (format == Format.JSON) {
                Path file = outDir.resolve("account-" + safe + ".json");
                files.add(file);
                try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    w.write("{\"account_id\": " + Json.string(accountId) + ", \"exported_at\": \"" + Instant.now() + "\"");
                    for (AccountRows.Section s : AccountRows.SECTIONS) {
                        w.write(",\n" + Json.string(s.name()) + ": [");
                        long n = rows(c, s, accountId, new JsonRows(w));
                        w.write("\n]");
                        counts.put(s.name(), n);
                        progress.accept(s.name() + ": " + n + " rows");
                    }
                    w.write("\n}\n");
                }
            } else {
                for (AccountRows.Section s : AccountRows.SECTIONS) {
                    Path file = outDir.resolve("account-" + safe + "-" + s.name() + ".csv");
                    files.add(file);
                    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                        long n = rows(c, s, accountId, new CsvRows(w));
                        counts.put(s.name(), n);
                        progress.accept(s.name() + ": " + n + " rows");
                    }
                }
            }
    }

    /** Receives a section's columns, then its rows. */
    interface RowSink {
        void columns(List<String> names) throws IOException;

        void row(List<Object> values) throws IOException;
    }

    private static long rows(Connection c, AccountRows.Section s, String accountId, RowSink sink) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(s.sql())) {
            for (int i = 1; i <= s.parameters(); i++) ps.setString(i, accountId);
            ps.setFetchSize(2_000);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<String> names = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) names.add(md.getColumnLabel(i));
                sink.columns(names);
                long n = 0;
                List<Object> values = new ArrayList<>(names.size());
                while (rs.next()) {
                    values.clear();
                    for (int i = 1; i <= names.size(); i++) values.add(plain(rs.getObject(i)));
                    sink.row(values);
                    n++;
                }
                return n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Times as ISO-8601 UTC instants; everything else as the database gave it. */
    private static Object plain(Object v) {
        if (v instanceof Timestamp t) return t.toInstant().toString();
        if (v instanceof OffsetDateTime o) return o.toInstant().toString();
        return v;
    }

    private static final class JsonRows implements RowSink {
        private final BufferedWriter w;
        private List<String> names;
        private boolean first = true;

        JsonRows(BufferedWriter w) {
            this.w = w;
        }

        @Override
        public void columns(List<String> names) {
            this.names = names;
        }

        @Override
        public void row(List<Object> values) throws IOException {
            w.write(first ? "\n  {" : ",\n  {");
            first = false;
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) w.write(", ");
                Object v = values.get(i);
                w.write(Json.string(names.get(i)) + ": "
                        + (v == null ? "null" : v instanceof Number ? v.toString() : Json.string(v.toString())));
            }
            w.write('}');
        }
    }

    private static final class CsvRows implements RowSink {
        private final BufferedWriter w;

        CsvRows(BufferedWriter w) {
            this.w = w;
        }

        @Override
        public void columns(List<String> names) throws IOException {
            line(new ArrayList<>(names));
        }

        @Override
        public void row(List<Object> values) throws IOException {
            line(values);
        }

        private void line(List<?> values) throws IOException {
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) w.write(',');
                Object v = values.get(i);
                if (v == null) continue;
                String s = v.toString();
                boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
                w.write(quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
            w.write("\r\n");
        }
    }

    /** JSON string literals. */
    static final class Json {
        private Json() {
        }

        static String string(String s) {
            StringBuilder b = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                        else b.append(ch);
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}
