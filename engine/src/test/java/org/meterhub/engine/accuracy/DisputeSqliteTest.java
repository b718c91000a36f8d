package org.meterhub.engine.accuracy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The dispute worked examples on a SQLite store file. */
class DisputeSqliteTest extends DisputeContract {
    private Path dir;

    @Override
    String url() {
        try {
            if (dir == null) dir = Files.createTempDirectory("disputes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "jdbc:sqlite:" + dir.resolve("disputes.db");
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
