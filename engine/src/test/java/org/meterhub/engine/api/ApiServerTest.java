package org.meterhub.engine.api;

import java.nio.file.Files;
import java.nio.file.Path;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.TimeSeriesStore;

/** The HTTP API on the single-box SQLite store. */
class ApiServerTest extends ApiServerContract {
    private Path dir;

    @Override
    TimeSeriesStore openStore() throws Exception {
        dir = Files.createTempDirectory("api-test");
        return new SqliteStore(dir.resolve("api.db"));
    }

    @Override
    String url() {
        return "jdbc:sqlite:" + dir.resolve("api.db");
    }

    @Override
    void dropStore() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
