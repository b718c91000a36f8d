package org.meterhub.app.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meterhub users add|list|disable|token}: who may use the engine's HTTP API and console.
 * Run on the head-end by whoever may open the store; every change is audited with the OS user.
 */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Users of the HTTP API and console: add, list,"
        + " disable, issue tokens.", subcommands = {UsersCommand.Add.class, UsersCommand.ListUsers.class,
        UsersCommand.Disable.class, UsersCommand.Token.class})
public final class UsersCommand {

    /** The store option every subcommand takes. */
    static final class StoreOption {
        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        <T> T withUsers(String action, String subject, java.util.function.Function<JdbcUsers, T> work) {
            try (TimeSeriesStore ts = CliArgs.existingStore(store); SqlDatabase db = SqlDatabase.open(store)) {
                ts.audit(new AuditEntry(Instant.now(), CliArgs.osUser(), "cli users " + action, subject, "", "cli"));
                return work.apply(new JdbcUsers(db, PasswordHasher.defaults(), Clock.systemUTC()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user with a role; the password is read"
            + " from standard input (one line), or with --token-only none is set.")
    static final class Add implements Callable<Integer> {
        @Mixin
        StoreOption store;
        @Option(names = "--name", required = true, description = "Login name: lower-case letters, digits, '.', '_', '-'.")
        String name;
        @Option(names = "--role", required = true, description = "viewer, operator, billing or admin.")
        String role;
        @Option(names = "--token-only", description = "No password: the user authenticates with tokens only (services).")
        boolean tokenOnly;

        @Override
        public Integer call() throws IOException {
            Role r;
            try {
                r = Role.parse(role);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--" + e.getMessage());
            }
            char[] password = tokenOnly ? null : readPassword();
            store.withUsers("add", name, u -> {
                u.add(name, r, password, CliArgs.osUser());
                return null;
            });
            System.out.printf("added %s (%s)%s%n", name, r.wire(), tokenOnly ? ", token only: issue one with users token" : "");
            return 0;
        }

        private static char[] readPassword() throws IOException {
            if (System.console() != null) {
                char[] p = System.console().readPassword("password for the new user: ");
                char[] again = System.console().readPassword("again: ");
                if (!java.util.Arrays.equals(p, again)) throw new ConfigException("the two passwords differ");
                return p;
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) throw new ConfigException("expected the password on standard input");
            return line.toCharArray();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users, their roles and whether disabled.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Override
        public Integer call() {
            var users = store.withUsers("list", "*", JdbcUsers::list);
            System.out.printf("%-24s %-9s %-9s %-21s %-16s %s%n", "name", "role", "password", "created", "by", "disabled");
            for (JdbcUsers.User u : users) {
                System.out.printf("%-24s %-9s %-9s %-21s %-16s %s%n", u.name(), u.role().wire(), u.hasPassword() ? "yes" : "no",
                        u.createdAt().toString().substring(0, 19) + "Z", u.createdBy(),
                        u.disabledAt().map(Instant::toString).orElse("-"));
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a user: its password and tokens stop"
            + " working at once; the user stays listed.")
    static final class Disable implements Callable<Integer> {
        @Mixin
        StoreOption store;
        @Option(names = "--name", required = true)
        String name;
        @Option(names = "--reason", defaultValue = "", description = "Why, for the record.")
        String reason;

        @Override
        public Integer call() {
            store.withUsers("disable", name, u -> {
                u.disable(name, CliArgs.osUser(), reason);
                return null;
            });
            System.out.println("disabled " + name);
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Issue an API token (shown once; the store keeps"
            + " only its hash). Send it as 'Authorization: Bearer <token>'.")
    static final class Token implements Callable<Integer> {
        @Mixin
        StoreOption store;
        @Option(names = "--name", required = true)
        String name;
        @Option(names = "--label", defaultValue = "", description = "What the token is for (e.g. grafana).")
        String label;
        @Option(names = "--valid-for", description = "Lifetime, e.g. 90d (default: until the user is disabled).")
        String validFor;

        @Override
        public Integer call() {
            Optional<Instant> expires;
            try {
                expires = validFor == null ? Optional.empty()
                        : Optional.of(Instant.now().plus(org.meterhub.app.config.Durations.parse(validFor)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--valid-for: " + e.getMessage());
            }
            String token = store.withUsers("token", name, u -> u.issueToken(name, label, expires, CliArgs.osUser()));
            System.out.println(token);
            return 0;
        }
    }
}
