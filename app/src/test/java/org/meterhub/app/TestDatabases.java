package org.meterhub.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh PostgreSQL database per test, on the real server. The admin URL comes from
 * METERHUB_PG_URL (system property or environment); an unreachable server fails the test.
 */
public final class TestDatabases {
    private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=meterhub&password=meterhub";

    private TestDatabases() {
    }

    public record Database(String name, String url, String adminUrl) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    public static Database createPostgres() throws SQLException {
        String admin = System.getProperty("METERHUB_PG_URL", System.getenv().getOrDefault("METERHUB_PG_URL", DEFAULT_URL));
        String name = "mh_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new SQLException("PostgreSQL is required for this test and is not usable at " + admin
                    + " (run ./run-tests, which starts it): " + e.getMessage(), e);
        }
        return new Database(name, admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1"), admin);
    }
}
