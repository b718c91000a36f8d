package org.meterhub.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.SqliteStore;

/** {@code meterhub users …} as an administrator types it, against a store file. */
class UsersCommandTest {

    @Test
    void addListTokenAndDisable(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("m.db");
        new SqliteStore(dir.resolve("m.db")).close(); // a store with its schema

        TestCli.Run added = withStdin("a long enough password\n", () -> TestCli.meterhub("users", "add", "--name", "ops.lee",
                "--role", "operator", "--store", url));
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("added ops.lee (operator)");
        assertThat(TestCli.meterhub("users", "add", "--name", "svc.grafana", "--role", "viewer", "--token-only", "--store", url)
                .exit()).isZero();

        TestCli.Run token = TestCli.meterhub("users", "token", "--name", "svc.grafana", "--label", "grafana", "--store", url);
        assertThat(token.exit()).isZero();
        String t = token.out().strip();
        assertThat(t).startsWith("mh_").hasSizeGreaterThan(40);

        TestCli.Run badRole = TestCli.meterhub("users", "add", "--name", "x.y", "--role", "root", "--token-only", "--store", url);
        assertThat(badRole.exit()).isEqualTo(2);
        assertThat(badRole.err().strip()).contains("--role: expected viewer, operator, billing or admin").doesNotContain("\n");

        assertThat(TestCli.meterhub("users", "disable", "--name", "svc.grafana", "--reason", "rotated", "--store", url).exit())
                .isZero();
        TestCli.Run list = TestCli.meterhub("users", "list", "--store", url);
        assertThat(list.out()).contains("ops.lee").contains("operator").contains("svc.grafana");

        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcUsers users = new JdbcUsers(db, PasswordHasher.defaults(), Clock.systemUTC());
            assertThat(users.byPassword("ops.lee", "a long enough password".toCharArray())).hasValueSatisfying(p ->
                    assertThat(p.role()).isEqualTo(Role.OPERATOR));
            assertThat(users.byToken(t)).as("a disabled user's token stops working").isEmpty();
        }
        TestCli.Run audit = TestCli.meterhub("audit", "--meter", "svc.grafana", "--store", url);
        assertThat(audit.exit()).as(audit.err()).isZero();
        assertThat(audit.out()).contains("cli users disable").contains("cli users token").doesNotContain("ops.lee")
                .contains("3 audit rows");
    }

    private static TestCli.Run withStdin(String text, java.util.function.Supplier<TestCli.Run> run) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(old);
        }
    }
}
