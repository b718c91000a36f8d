package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class StoreFactoryTest {

    @TempDir
    Path dir;

    @Test
    void opensSqliteAndCreatesParentDirectories() {
        Path file = dir.resolve("data/site-1/meterhub.db");
        try (MeterStore store = StoreFactory.open("jdbc:sqlite:" + file)) {
            assertThat(store).isInstanceOf(SqliteStore.class);
            assertThat(store.readingCount()).isZero();
        }
        assertThat(Files.isRegularFile(file)).isTrue();
    }

    @Test
    void opensSqliteInMemory() {
        try (MeterStore store = StoreFactory.open("jdbc:sqlite::memory:")) {
            assertThat(store).isInstanceOf(SqliteStore.class);
        }
    }

    @Test
    void opensPostgresqlAndDescribesItWithoutThePassword() {
        try (PgTestDatabase db = PgTestDatabase.create();
             MeterStore store = StoreFactory.open(db.url())) {
            assertThat(store).isInstanceOf(PostgresStore.class);
            assertThat(store.readingCount()).isZero();
            assertThat(store.describe()).contains(db.name()).doesNotContain("password=meterhub");
        }
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "sqlite:data.db", "jdbc:mysql://db/meterhub?user=u&password=hunter2",
            "postgres://u:hunter2@db/meterhub", "jdbc:sqlite:", "jdbc:sqlite:data.db?journal_mode=delete",
            "jdbc:postgresql:meterhub", "JDBC:SQLITE:data.db"})
    void refusesOtherUrlsNamingTheAcceptedForms(String url) {
        assertThatThrownBy(() -> StoreFactory.open(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:sqlite:<file path>")
                .hasMessageContaining("jdbc:postgresql://<host>")
                .hasMessageNotContaining("hunter2")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void redactsPasswordsInUrls() {
        assertThat(JdbcUrls.redact("jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(JdbcUrls.redact("jdbc:postgresql://h/db?sslpassword=a&PASSWORD=b"))
                .isEqualTo("jdbc:postgresql://h/db?sslpassword=***&PASSWORD=***");
        assertThat(JdbcUrls.redact("postgres://user:s3cret@h/db")).isEqualTo("postgres://user:***@h/db");
        assertThat(JdbcUrls.redact("jdbc:postgresql://h:5432/db")).isEqualTo("jdbc:postgresql://h:5432/db");
    }
}
