package org.meterhub.benchmarks.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Fresh databases for a benchmark run, created and dropped through the admin URL (METERHUB_PG_URL). */
final class BenchDatabases {

    static final String DEFAULT_ADMIN = "jdbc:postgresql://127.0.0.1:5432/postgres?user=meterhub&password=meterhub";

    private BenchDatabases() {
    }

    static String adminUrl() {
        String url = System.getProperty("METERHUB_PG_URL", System.getenv("METERHUB_PG_URL"));
        return url == null || url.isBlank() ? DEFAULT_ADMIN : url;
    }

    /** Creates {@code mh_bench_<hex>} and returns its JDBC URL. */
    static String create(String label) throws SQLException {
        return create(adminUrl(), label);
    }

    /** Creates {@code mh_bench_<hex>} through the admin URL (whose database is postgres) and returns its JDBC URL. */
    static String create(String admin, String label) throws SQLException {
        String name = "mh_bench_" + label + "_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        }
        return admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    /** Creates the database {@code name} (which must not exist) through the admin URL and returns its JDBC URL. */
    static String createNamed(String admin, String name) throws SQLException {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name: lower-case letters, digits and _; not " + name);
        }
        try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        }
        return admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    static void drop(String url) throws SQLException {
        drop(adminUrl(), url);
    }

    static void drop(String admin, String url) throws SQLException {
        String name = url.replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
        try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + name + " with (force)");
        }
    }

    /** psql's connection string for the same database: postgresql://user:password@host:port/db. */
    static String libpq(String jdbcUrl) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("jdbc:postgresql://([^/]+)/([^?]+)\\?user=([^&]+)&password=([^&]+)").matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected jdbc:postgresql://host:port/db?user=..&password=..");
        }
        return "postgresql://" + m.group(3) + ":" + m.group(4) + "@" + m.group(1) + "/" + m.group(2);
    }
}
