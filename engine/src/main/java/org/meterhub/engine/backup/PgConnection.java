package org.meterhub.engine.backup;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code jdbc:postgresql://} URL as the environment of {@code pg_dump} and {@code pg_restore}
 * (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD), so the password never appears on a command line
 * that {@code ps} would show.
 */
record PgConnection(String host, String port, String database, Map<String, String> params) {

    private static final Pattern URL = Pattern.compile("^jdbc:postgresql://([^/:?]*)(?::(\\d+))?/([^?]*)(?:\\?(.*))?$");

    static PgConnection parse(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches() || m.group(3).isEmpty()) {
            throw new IllegalArgumentException("expected jdbc:postgresql://<host>[:<port>]/<database>[?user=...&password=...]");
        }
        Map<String, String> params = new HashMap<>();
        if (m.group(4) != null) {
            for (String kv : m.group(4).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) params.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new PgConnection(m.group(1).isEmpty() ? "localhost" : m.group(1), m.group(2) == null ? "5432" : m.group(2),
                m.group(3), params);
    }

    /** The same server and credentials, another database. */
    String urlOf(String otherDatabase) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return "jdbc:postgresql://" + host + ":" + port + "/" + otherDatabase + q;
    }

    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", port);
        env.put("PGDATABASE", database);
        if (params.containsKey("user")) env.put("PGUSER", params.get("user"));
        if (params.containsKey("password")) env.put("PGPASSWORD", params.get("password"));
        if (params.containsKey("sslmode")) env.put("PGSSLMODE", params.get("sslmode"));
        return env;
    }
}
