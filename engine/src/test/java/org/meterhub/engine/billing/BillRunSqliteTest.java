package org.meterhub.engine.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The worked examples on a SQLite store file. */
class BillRunSqliteTest extends BillRunContract {
    private Path dir;

    @Override
    String url() {
        try {
            if (dir == null) dir = Files.createTempDirectory("billing");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "jdbc:sqlite:" + dir.resolve("billing.db");
    }

    @Override
    void dispose() {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
