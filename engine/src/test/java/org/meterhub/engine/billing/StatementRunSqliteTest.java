package org.meterhub.engine.billing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The prepaid statement example on a SQLite store file. */
class StatementRunSqliteTest extends StatementRunContract {
    private Path dir;

    @Override
    String url() {
        try {
            if (dir == null) dir = Files.createTempDirectory("statements");
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
