package org.meterhub.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MigrationsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void theIndexListsEveryScriptInTheFolder(Dialect dialect) throws IOException, URISyntaxException {
        Path folder = Path.of(getClass().getClassLoader().getResource(dialect.resourceDir()).toURI());
        List<String> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
        }
        assertThat(Migrations.load(dialect)).extracting(Migrations.Migration::name)
                .containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void bothDialectsHaveTheSameVersions() {
        assertThat(Migrations.load(Dialect.POSTGRESQL)).extracting(Migrations.Migration::name)
                .isEqualTo(Migrations.load(Dialect.SQLITE).stream().map(Migrations.Migration::name).toList())
                .startsWith("V1__base.sql");
    }

    @Test
    void applyingTwiceAppliesNothingTheSecondTime() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.db"))) {
            assertThat(Migrations.apply(c, Dialect.SQLITE)).startsWith(1);
            assertThat(Migrations.apply(c, Dialect.SQLITE)).isEmpty();
            assertThat(c.getAutoCommit()).isTrue(); // left as it was found
        }
    }

    @Test
    void aDatabaseFromANewerVersionIsRefused() throws SQLException {
        Path file = dir.resolve("newer.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            Migrations.apply(c, Dialect.SQLITE);
            try (Statement st = c.createStatement()) {
                st.execute("insert into schema_migrations (version, name, applied_at) values (99, 'V99__x.sql', 0)");
            }
        }
        assertThatThrownBy(() -> new SqliteStore(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining("version 99").hasMessageContaining("upgrade meterhub");
    }

    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        String script = """
                -- header; with a semicolon
                create table a (x text default 'a;b', "we;ird" int); -- trailing; comment
                /* block; comment */
                comment on table a is 'it''s; fine';
                -- only a comment at the end;
                """;
        assertThat(Migrations.split(script)).containsExactly(
                "-- header; with a semicolon\ncreate table a (x text default 'a;b', \"we;ird\" int)",
                "-- trailing; comment\n/* block; comment */\ncomment on table a is 'it''s; fine'");
    }

    @Test
    void anUnterminatedQuoteIsAnError() {
        assertThatThrownBy(() -> Migrations.split("select 'oops;")).isInstanceOf(IllegalArgumentException.class);
    }
}
