package org.meterhub.engine.store;

import java.nio.file.Path;

/** Opens a {@link TimeSeriesStore} from a JDBC URL. */
public final class StoreFactory {

    static final String ACCEPTED = "expected jdbc:sqlite:<file path> (or jdbc:sqlite::memory:)"
            + " or jdbc:postgresql://<host>[:<port>]/<database>[?user=...&password=...]";

    private StoreFactory() {
    }

    /**
     * {@code jdbc:sqlite:<path>} opens a {@link SqliteStore}, creating the file and its parent
     * directories; {@code jdbc:postgresql://...} opens a {@link PostgresStore}. Schema migrations
     * are applied on open.
     *
     * @throws IllegalArgumentException for any other URL
     */
    public static TimeSeriesStore open(String url) {
        if (url != null && url.startsWith("jdbc:sqlite:")) {
            String path = url.substring("jdbc:sqlite:".length());
            if (path.equals(":memory:")) {
                return SqliteStore.inMemory();
            }
            if (path.isBlank() || path.contains("?") || path.startsWith("file:")) {
                throw unsupported(url, " (SQLite takes a plain file path; the store sets its own pragmas)");
            }
            return new SqliteStore(Path.of(path));
        }
        if (url != null && url.startsWith("jdbc:postgresql://")) {
            return new PostgresStore(url);
        }
        throw unsupported(url, "");
    }

    private static IllegalArgumentException unsupported(String url, String why) {
        String shown = JdbcUrls.redact(url).replaceAll("\\s+", " ");
        return new IllegalArgumentException("unsupported store URL '" + shown + "'" + why + ": " + ACCEPTED);
    }
}
