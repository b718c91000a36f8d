package org.meterhub.engine.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.meterhub.engine.jdbc.SqlDatabase;

/**
 * The settings each process or command ran with (table {@code settings_audit}, V17): who loaded which file, its
 * SHA-256, and which top-level settings differ from the previous load of the same kind and file. Each load also
 * writes an {@code audit} row ({@code settings load}, subject {@code settings:<kind>}), so {@code meterhub audit}
 * shows settings changes beside reads and actions. Both rows are written in one transaction; both tables are
 * append-only.
 */
public final class JdbcSettingsAudit {
    private final SqlDatabase db;
    private final Clock clock;

    public JdbcSettingsAudit(SqlDatabase db, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What changed since the previous load.
     *
     * @param first   no earlier load of this kind and file is on record
     * @param added   top-level keys not in the previous load
     * @param removed top-level keys only in the previous load
     * @param changed top-level keys in both whose value differs
     */
    public record Change(boolean first, List<String> added, List<String> removed, List<String> changed) {
        public boolean none() {
            return !first && added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }

        /** {@code *} for the first load, else {@code +added,-removed,changed} (empty: nothing changed). */
        public String text() {
            if (first) return "*";
            List<String> parts = new ArrayList<>();
            added.forEach(k -> parts.add("+" + k));
            removed.forEach(k -> parts.add("-" + k));
            parts.addAll(changed);
            return String.join(",", parts);
        }
    }

    /**
     * Records one load of a settings file.
     *
     * @param actor     the process's OS user, or the API user who changed the settings
     * @param kind      which settings: {@code gateway}, {@code data-protection}, {@code deadlines}, ...
     * @param file      the file's absolute path
     * @param sha256    of the file's bytes, hex
     * @param keyHashes per top-level key, the SHA-256 of its value
     * @param client    where from: {@code cli}, {@code process} or the API caller's address
     */
    public Change record(String actor, String kind, String file, String sha256, Map<String, String> keyHashes, String client) {
        Map<String, String> keys = new TreeMap<>(keyHashes);
        for (String k : keys.keySet()) {
            if (k.contains("=") || k.contains("\n")) throw new IllegalArgumentException("settings key \"" + k + "\" cannot be recorded");
        }
        return db.tx("settings audit " + kind, c -> {
            List<String> last = SqlDatabase.query(c, "select key_hashes from settings_audit where kind = ? and file = ?"
                    + " order by id desc limit 1", ps -> {
                        ps.setString(1, kind);
                        ps.setString(2, file);
                    }, rs -> rs.getString(1));
            Change change = last.isEmpty() ? new Change(true, List.copyOf(keys.keySet()), List.of(), List.of())
                    : diff(parse(last.get(0)), keys);
            java.time.Instant now = clock.instant();
            SqlDatabase.update(c, "insert into settings_audit (at, actor, kind, file, sha256, key_hashes, changed)"
                    + " values (?, ?, ?, ?, ?, ?, ?)", ps -> {
                        db.bindTime(ps, 1, now);
                        ps.setString(2, actor);
                        ps.setString(3, kind);
                        ps.setString(4, file);
                        ps.setString(5, sha256);
                        ps.setString(6, format(keys));
                        ps.setString(7, change.text());
                    });
            String detail = "file=" + file + "&sha256=" + sha256 + "&changed=" + (change.none() ? "none" : change.text());
            SqlDatabase.update(c, "insert into audit (at, actor, action, subject, detail, client) values (?, ?, ?, ?, ?, ?)",
                    ps -> {
                        db.bindTime(ps, 1, now);
                        ps.setString(2, actor);
                        ps.setString(3, "settings load");
                        ps.setString(4, "settings:" + kind);
                        ps.setString(5, detail);
                        ps.setString(6, client);
                    });
            return change;
        });
    }

    static Change diff(Map<String, String> before, Map<String, String> after) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> e : after.entrySet()) {
            String old = before.get(e.getKey());
            if (old == null) added.add(e.getKey());
            else if (!old.equals(e.getValue())) changed.add(e.getKey());
        }
        List<String> removed = new ArrayList<>(new TreeSet<>(before.keySet()));
        removed.removeAll(after.keySet());
        return new Change(false, added, removed, changed);
    }

    private static String format(Map<String, String> keys) {
        StringBuilder b = new StringBuilder();
        keys.forEach((k, v) -> b.append(b.length() == 0 ? "" : "\n").append(k).append('=').append(v));
        return b.toString();
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) keys.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return keys;
    }
}
