package org.meterhub.engine.security;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates every request to the engine's HTTP server (API, console, {@code /metrics}) with
 * HTTP Basic (user and password) or a Bearer token, and checks the role against what the request
 * does. Unauthenticated: 401; wrong role: 403; throttled: 429 with Retry-After. Only the paths given
 * as open (health probes; {@code /metrics} if configured) are served without it. A proxy's user
 * header is never trusted: who acted is who authenticated.
 */
public final class AuthFilter extends Filter {
    /** The exchange attribute holding the {@link Principal}. */
    public static final String PRINCIPAL = "meterhub.principal";
    /** The console's session cookie: a short-lived API token issued at login (HttpOnly, SameSite=Strict). */
    public static final String SESSION_COOKIE = "meterhub_session";

    private final JdbcUsers users;
    private final LoginThrottle throttle;
    private final List<String> openPrefixes;
    private final Clock clock;

    public AuthFilter(JdbcUsers users, LoginThrottle throttle, List<String> openPrefixes, Clock clock) {
        this.users = users;
        this.throttle = throttle;
        this.openPrefixes = List.copyOf(openPrefixes);
        this.clock = clock;
    }

    @Override
    public String description() {
        return "meterhub authentication";
    }

    /** The authenticated principal of a request that passed this filter. */
    public static Optional<Principal> principal(HttpExchange ex) {
        return Optional.ofNullable((Principal) ex.getAttribute(PRINCIPAL));
    }

    /** What a request needs: reads for GET/HEAD; alarm steps, bill runs and everything else by path. */
    static Role.Permission needed(String method, String path) {
        if (method.equals("GET") || method.equals("HEAD")) return Role.Permission.READ;
        if (path.startsWith("/api/v1/alarms/")) return Role.Permission.ALARM_STEP;
        if (path.startsWith("/api/v1/bills")) return Role.Permission.BILL_RUN;
        return Role.Permission.ADMIN;
    }

    @Override
    public void doFilter(HttpExchange ex, Chain chain) throws IOException {
        String path = ex.getRequestURI().getPath();
        for (String open : openPrefixes) {
            if (path.startsWith(open)) {
                chain.doFilter(ex);
                return;
            }
        }
        String address = address(ex);
        String header = ex.getRequestHeaders().getFirst("Authorization");
        Optional<Principal> who;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            who = users.byToken(header.substring(7).strip());
            if (who.isEmpty()) {
                refuse(ex, 401, "unauthenticated", "unknown, expired or revoked token");
                return;
            }
        } else if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] userPass = basic(header.substring(6).strip());
            if (userPass == null) {
                refuse(ex, 401, "unauthenticated", "malformed Basic credentials");
                return;
            }
            PasswordLogin.Outcome outcome = new PasswordLogin(users, throttle, clock).attempt(userPass[0],
                    userPass[1].toCharArray(), address);
            if (outcome instanceof PasswordLogin.Locked l) {
                ex.getResponseHeaders().set("Retry-After", Long.toString(l.retryAfterSeconds()));
                refuse(ex, 429, "throttled", "too many failed logins; try again later");
                return;
            }
            if (!(outcome instanceof PasswordLogin.Accepted a)) {
                refuse(ex, 401, "unauthenticated", "wrong user or password");
                return;
            }
            who = Optional.of(a.principal());
        } else if (sessionCookie(ex).isPresent()) {
            who = users.byToken(sessionCookie(ex).get());
            if (who.isEmpty()) {
                unauthenticated(ex, path, "session expired; log in again");
                return;
            }
            // A cookie is sent by the browser on its own: a changing request must come from our own pages
            // (SameSite=Strict already keeps it off cross-site requests; Origin is checked as well).
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD") && !sameOrigin(ex)) {
                refuse(ex, 403, "forbidden", "cross-origin request with a session cookie");
                return;
            }
        } else {
            unauthenticated(ex, path, "send Authorization: Bearer <token> or Basic credentials");
            return;
        }
        Role.Permission need = needed(ex.getRequestMethod(), path);
        if (!who.get().role().permits(need)) {
            refuse(ex, 403, "forbidden", "role " + who.get().role().wire() + " may not " + need.name().toLowerCase()
                    .replace('_', ' '));
            return;
        }
        ex.setAttribute(PRINCIPAL, who.get());
        chain.doFilter(ex);
    }

    /** Console pages send a browser to the login page; everything else gets the API's 401. */
    private static void unauthenticated(HttpExchange ex, String path, String message) throws IOException {
        if (path.startsWith("/console/") && ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Location", "/console/login");
            ex.sendResponseHeaders(303, -1);
            ex.close();
            return;
        }
        refuse(ex, 401, "unauthenticated", message);
    }

    /** The session token from the Cookie header, if any. */
    public static Optional<String> sessionCookie(HttpExchange ex) {
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith(SESSION_COOKIE + "=") && p.length() > SESSION_COOKIE.length() + 1) {
                    return Optional.of(p.substring(SESSION_COOKIE.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    /** True when the Origin header names the host the request was sent to (browsers send it on POST). */
    public static boolean sameOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        String host = ex.getRequestHeaders().getFirst("Host");
        return origin != null && host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private static String[] basic(String b64) {
        try {
            String s = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            return colon <= 0 ? null : new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String address(HttpExchange ex) {
        InetSocketAddress remote = ex.getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "?" : remote.getAddress().getHostAddress();
    }

    private static void refuse(HttpExchange ex, int status, String error, String message) throws IOException {
        if (status == 401) ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"meterhub\", Basic realm=\"meterhub\"");
        byte[] body = ("{\"error\":\"" + error + "\",\"message\":\"" + message.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        ex.close();
    }
}
