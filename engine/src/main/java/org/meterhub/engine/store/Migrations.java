package org.meterhub.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations, applied when a store opens.
 *
 * <p>Each dialect keeps its scripts under {@code db/<dialect>/} on the classpath, named
 * {@code V<n>__<name>.sql}, and lists them in order in {@code db/<dialect>/migrations.txt}
 * (class paths cannot be listed portably, so the index is explicit; a test checks it against
 * the folder). Applied versions are recorded in {@code schema_migrations}; re-running is a no-op.
 *
 * <p>Each migration runs in its own transaction together with its {@code schema_migrations}
 * row, under a lock that serialises concurrent openers (see {@link Dialect}). Scripts are split
 * into statements at semicolons outside quotes and comments; dollar-quoted bodies are not
 * supported. A database with a version newer than this code knows is refused.
 */
public final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    private static final Pattern FILE = Pattern.compile("V([1-9][0-9]*)__([A-Za-z0-9_]+)\\.sql");

    /** One script. */
    public record Migration(int version, String name, String sql) {
    }

    private Migrations() {
    }

    /** The dialect's migrations in version order, read from the classpath. */
    public static List<Migration> load(Dialect dialect) {
        String index = resource(dialect.resourceDir() + "migrations.txt");
        List<Migration> result = new ArrayList<>();
        for (String line : index.split("\n")) {
            String file = line.strip();
            if (file.isEmpty() || file.startsWith("#")) {
                continue;
            }
            Matcher m = FILE.matcher(file);
            if (!m.matches()) {
                throw new IllegalStateException("bad migration name '" + file + "' in "
                        + dialect.resourceDir() + "migrations.txt: expected V<n>__<name>.sql");
            }
            int version = Integer.parseInt(m.group(1));
            if (version != result.size() + 1) {
                throw new IllegalStateException(dialect.resourceDir() + file + ": expected version "
                        + (result.size() + 1) + " (versions are 1, 2, 3, ... in index order)");
            }
            result.add(new Migration(version, file, resource(dialect.resourceDir() + file)));
        }
        return List.copyOf(result);
    }

    /**
     * Applies the migrations the database does not have yet.
     *
     * @return the versions applied by this call (empty when the schema was already current)
     */
    public static List<Integer> apply(Connection c, Dialect dialect) throws SQLException {
        List<Migration> all = load(dialect);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement st = c.createStatement()) {
                if (dialect == Dialect.POSTGRESQL) {
                    st.execute(dialect.lockSql()); // concurrent CREATE TABLE IF NOT EXISTS can clash there
                }
                st.execute(dialect.bootstrapDdl());
                NavigableSet<Integer> done = appliedVersions(c);
                c.commit();
                if (!done.isEmpty() && done.last() > all.size()) {
                    throw new SQLException("database schema is at version " + done.last()
                            + " but this meterhub knows only up to " + all.size() + "; upgrade meterhub");
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
            List<Integer> applied = new ArrayList<>();
            for (Migration m : all) {
                if (applyOne(c, dialect, m)) {
                    applied.add(m.version());
                }
            }
            return List.copyOf(applied);
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static boolean applyOne(Connection c, Dialect dialect, Migration m) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(dialect.lockSql());
            if (appliedVersions(c).contains(m.version())) { // another process may have just applied it
                c.commit();
                return false;
            }
            for (String sql : split(m.sql())) {
                st.execute(sql);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into schema_migrations (version, name, applied_at) values (?, ?, ?)")) {
                ps.setInt(1, m.version());
                ps.setString(2, m.name());
                dialect.bindTime(ps, 3, Instant.now().truncatedTo(ChronoUnit.MILLIS));
                ps.executeUpdate();
            }
            c.commit();
            log.info("applied schema migration {} ({})", m.name(), dialect);
            return true;
        } catch (SQLException e) {
            c.rollback();
            throw new SQLException("migration " + dialect.resourceDir() + m.name() + " failed: "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    private static NavigableSet<Integer> appliedVersions(Connection c) throws SQLException {
        NavigableSet<Integer> versions = new TreeSet<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select version from schema_migrations")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    /**
     * Splits a script into statements at semicolons that are outside {@code '...'},
     * {@code "..."}, {@code -- ...} and {@code /* ... *}{@code /}. Comments stay in the
     * statement text (SQLite keeps them in its schema); chunks holding only comments are dropped.
     */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean hasCode = false;
        int i = 0;
        int n = script.length();
        while (i < n) {
            char ch = script.charAt(i);
            if (ch == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end;
                current.append(script, i, end);
                i = end;
            } else if (ch == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated /* comment");
                }
                current.append(script, i, end + 2);
                i = end + 2;
            } else if (ch == '\'' || ch == '"') {
                int end = i + 1;
                while (true) {
                    end = script.indexOf(ch, end);
                    if (end < 0) {
                        throw new IllegalArgumentException("unterminated " + ch + " quote");
                    }
                    if (end + 1 < n && script.charAt(end + 1) == ch) {
                        end += 2; // doubled quote inside the literal
                    } else {
                        break;
                    }
                }
                current.append(script, i, end + 1);
                hasCode = true;
                i = end + 1;
            } else if (ch == ';' && insideTriggerBody(current)) {
                current.append(ch);
                i++;
            } else if (ch == ';') {
                if (hasCode) {
                    statements.add(current.toString().strip());
                }
                current.setLength(0);
                hasCode = false;
                i++;
            } else {
                current.append(ch);
                hasCode |= !Character.isWhitespace(ch);
                i++;
            }
        }
        if (hasCode) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    private static final java.util.regex.Pattern TRIGGER_WITH_BODY = java.util.regex.Pattern.compile(
            "(?is)^\\s*(--[^\n]*\\s*)*create\\s+trigger\\b.*\\bbegin\\b.*");
    private static final java.util.regex.Pattern ENDS_WITH_END = java.util.regex.Pattern.compile("(?is).*\\bend\\s*$");

    /** A SQLite trigger's {@code BEGIN … END} holds statements of its own: only the {@code ;} after END ends it. */
    private static boolean insideTriggerBody(CharSequence statement) {
        return TRIGGER_WITH_BODY.matcher(statement).matches() && !ENDS_WITH_END.matcher(statement).matches();
    }

    private static String resource(String name) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read classpath resource " + name, e);
        }
    }
}
