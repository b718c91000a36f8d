package org.meterhub.engine.store;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fresh PostgreSQL database for one test class, created through an admin URL and dropped
 * (WITH (FORCE)) on close. The admin URL comes from the system property or environment variable
 * {@value #ENV}, else {@value #DEFAULT_ADMIN_URL}; for the server with TimescaleDB preloaded
 * ({@link #createTimescale()}, scripts/timescaledb.sh) from {@value #TSDB_ENV}, else
 * {@value #DEFAULT_TSDB_URL}. If the server cannot be reached the test fails: PostgreSQL tests
 * never skip.
 */
public final class PgTestDatabase implements AutoCloseable {

    public static final String ENV = "METERHUB_PG_URL";
    public static final String DEFAULT_ADMIN_URL =
            "jdbc:postgresql://127.0.0.1:5432/postgres?user=meterhub&password=meterhub";

    public static final String TSDB_ENV = "METERHUB_TSDB_URL";
    public static final String DEFAULT_TSDB_URL =
            "jdbc:postgresql://127.0.0.1:5433/postgres?user=meterhub&password=meterhub";

    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$");

    private final String adminUrl;
    private final String name;
    private final String url;

    private PgTestDatabase(String adminUrl, String name, String url) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.url = url;
    }

    public static String adminUrl() {
        return setting(ENV, DEFAULT_ADMIN_URL);
    }

    /** The admin URL of the server with TimescaleDB preloaded. */
    public static String timescaleAdminUrl() {
        return setting(TSDB_ENV, DEFAULT_TSDB_URL);
    }

    private static String setting(String name, String fallback) {
        String url = System.getProperty(name);
        if (url == null || url.isBlank()) {
            url = System.getenv(name);
        }
        return url == null || url.isBlank() ? fallback : url.strip();
    }

    /** Creates {@code mh_test_<random hex>}; throws AssertionError if PostgreSQL is unreachable. */
    public static PgTestDatabase create() {
        return create(adminUrl(), ENV, "Start PostgreSQL");
    }

    /**
     * Creates {@code mh_test_<random hex>} on the server with TimescaleDB preloaded; throws
     * AssertionError if it is unreachable.
     */
    public static PgTestDatabase createTimescale() {
        return create(timescaleAdminUrl(), TSDB_ENV,
                "Run scripts/timescaledb.sh (builds TimescaleDB, starts a cluster on 5433)");
    }

    private static PgTestDatabase create(String admin, String env, String remedy) {
        Matcher m = URL.matcher(admin);
        if (!m.matches()) {
            throw new AssertionError(env + " is not a jdbc:postgresql://host[:port]/database[?params] URL: "
                    + JdbcUrls.redact(admin));
        }
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String name = "mh_test_" + HexFormat.of().formatHex(random);
        String url = m.group(1) + "/" + name + (m.group(3) == null ? "" : m.group(3));
        try (Connection c = connect(admin); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL tests need a server and none could be used at "
                    + JdbcUrls.redact(admin) + " (" + e.getMessage() + "). " + remedy + ", or set " + env
                    + " (system property or environment variable) to an admin URL whose role may CREATE"
                    + " DATABASE. These tests fail rather than skip.", e);
        }
        return new PgTestDatabase(admin, name, url);
    }

    /** JDBC URL of the test database (with the admin URL's credentials). */
    public String url() {
        return url;
    }

    public String name() {
        return name;
    }

    /** A plain connection to the test database, for checks behind the store's back. */
    public Connection connect() throws SQLException {
        return connect(url);
    }

    /** Drops every table, partition and function, so the next store opens on an empty database. */
    public void reset() {
        retryingWhileTimescaleWorks("reset " + name, url, "drop schema if exists public cascade", "create schema public");
    }

    @Override
    public void close() {
        retryingWhileTimescaleWorks("drop test database " + name, adminUrl, "drop database if exists " + name + " with (force)");
    }

    /**
     * TimescaleDB's background workers (the scheduler, refresh and compression jobs) come and go on the test
     * database: a drop meets one as a deadlock (40P01) or, for the scheduler that runs as the superuser, as a
     * backend this role may not terminate (42501). Both pass within moments; other errors fail at once.
     */
    private static void retryingWhileTimescaleWorks(String what, String url, String... statements) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        while (true) {
            try (Connection c = connect(url); Statement st = c.createStatement()) {
                for (String sql : statements) st.execute(sql);
                return;
            } catch (SQLException e) {
                boolean passes = "40P01".equals(e.getSQLState()) || "42501".equals(e.getSQLState());
                if (!passes || System.nanoTime() > deadline) {
                    throw new AssertionError("cannot " + what + ": " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(200); // a worker's turn is over in well under a second; poll until then
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting to " + what, ie);
            }
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "5");
        p.setProperty("ApplicationName", "meterhub-engine-tests");
        return DriverManager.getConnection(url, p);
    }
}
