package org.meterhub.engine.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.NotFoundException;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.query.LastReadings;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.PasswordLogin;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.Principal;
import org.meterhub.engine.security.PurposePolicy;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.StoreException;
import org.meterhub.engine.store.TimeSeriesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's web console under {@code /console/}: server-rendered pages over the same
 * {@link Reports} as the API, uPlot (from its webjar) for charts, and a login page that turns a
 * user and password into a short-lived session cookie the {@link AuthFilter} accepts. Alarm steps
 * are POSTed by the page to the API itself, so there is one place that takes them.
 */
public final class ConsoleHandler implements HttpHandler {
    /** The paths the authentication filter must leave open: the login form and static assets. */
    public static final java.util.List<String> OPEN_PREFIXES = java.util.List.of("/console/login", "/console/assets/");
    /** How long a console session lasts before logging in again. */
    public static final Duration SESSION = Duration.ofHours(8);

    private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String[]> ASSETS = Map.of(
            "uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript"},
            "uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css"},
            "console.js", new String[] {"org/meterhub/engine/console/console.js", "text/javascript"},
            "console.css", new String[] {"org/meterhub/engine/console/console.css", "text/css"});

    private final TimeSeriesStore store;
    private final Clock clock;
    private final JdbcUsers users;
    private final LoginThrottle throttle;
    private final MeterPage meterPage;
    private final AlarmsPage alarmsPage;
    private final FleetPage fleetPage;
    private final DistrictPage districtPage;
    private final GatewaysPage gatewaysPage;
    private final MeterRecordsSection meterRecords;
    /**
     * Runs the meter page's parts that use other connections than the store's reader (its audit row,
     * its records) beside the reader's parts; daemon threads, two per handler.
     */
    private final java.util.concurrent.ExecutorService parts = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "console-page-parts");
        t.setDaemon(true);
        return t;
    });
    private final PurposePolicy purposes;

    /**
     * @param users    who may log in; null serves the pages without a login (tests, a proxy in front)
     * @param throttle the same throttle as the authentication filter's, so the login form is no way around it
     * @param lastReadings when each meter was last read, for the Fleet page (one query for the fleet)
     * @param settings the utility's console settings (when a meter is stale)
     * @param records the store's database, for the pages that show records kept there (valve decisions, estimates,
     *                meter records, district alarms, gateway status); null leaves those parts out
     */
    public ConsoleHandler(TimeSeriesStore store, Reports reports, Clock clock, JdbcUsers users, LoginThrottle throttle,
                          LastReadings lastReadings, ConsoleSettings settings, org.meterhub.engine.jdbc.SqlDatabase records) {
        this(store, reports, clock, users, throttle, lastReadings, settings, records, PurposePolicy.none());
    }

    /** @param purposes which roles must say why they open a meter's page (the same setting as the API's) */
    public ConsoleHandler(TimeSeriesStore store, Reports reports, Clock clock, JdbcUsers users, LoginThrottle throttle,
                          LastReadings lastReadings, ConsoleSettings settings, org.meterhub.engine.jdbc.SqlDatabase records,
                          PurposePolicy purposes) {
        this.purposes = purposes;
        this.store = store;
        this.clock = clock;
        this.users = users;
        this.throttle = throttle;
        this.meterPage = new MeterPage(store, reports);
        this.alarmsPage = new AlarmsPage(reports, clock);
        this.fleetPage = new FleetPage(lastReadings, reports, clock, settings);
        this.districtPage = new DistrictPage(store, reports, clock, records);
        this.gatewaysPage = new GatewaysPage(clock, reports.zone(), records == null ? null
                : new org.meterhub.engine.gateways.GatewayHealth(records, settings.busHealth()));
        this.meterRecords = new MeterRecordsSection(store, reports.zone(), records);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = form(ex.getRequestURI().getRawQuery());
            try {
                if (path.startsWith("/console/assets/")) {
                    asset(ex, path.substring("/console/assets/".length()));
                } else if (path.equals("/console/login")) {
                    login(ex);
                } else if (path.equals("/console/logout")) {
                    logout(ex);
                } else if (!"GET".equals(ex.getRequestMethod())) {
                    html(ex, 405, Html.page("Not allowed", user(ex), "<p>Pages are read with GET.</p>"));
                } else if (path.equals("/console/") || path.equals("/console")) {
                    audit(ex, "GET /console/", "*", purpose(q));
                    html(ex, 200, Html.page("Fleet", user(ex), fleetPage.render() + districtPage.list()));
                } else if (path.equals("/console/alarms")) {
                    String meter = q.get("meter") == null || q.get("meter").isBlank() ? null : q.get("meter");
                    if (meter != null && !purposeStated(ex, path, q, "Why do you open the alarms of meter " + meter + "?")) return;
                    audit(ex, "GET /console/alarms", meter == null ? "*" : meter, purpose(q));
                    html(ex, 200, Html.page("Alarms", user(ex), alarmsPage.render(q)));
                } else if (path.equals("/console/meter") && q.containsKey("id")) {
                    String p = purpose(q);
                    redirect(ex, "/console/meters/" + URLEncoder.encode(q.get("id").strip(), StandardCharsets.UTF_8)
                            + (p.isEmpty() ? "" : "?purpose=" + URLEncoder.encode(p, StandardCharsets.UTF_8)));
                } else if (path.startsWith("/console/meters/")) {
                    String meter = URLDecoder.decode(path.substring("/console/meters/".length()), StandardCharsets.UTF_8);
                    if (meter.isEmpty() || meter.length() > 64 || meter.contains("/")) throw new NotFoundException("no meter " + meter);
                    if (!purposeStated(ex, path, q, "Why do you open meter " + meter + "?")) return;
                    // The audit row (the writer's connection) and the records below the alarms (the records'
                    // database) are fetched while the page's own parts are read; nothing is shown unless the
                    // read was audited.
                    PartTimes times = new PartTimes();
                    long t0 = System.nanoTime();
                    String purpose = purpose(q);
                    CompletableFuture<Void> audited = CompletableFuture.runAsync(() -> times.time("audit", () -> {
                        audit(ex, "GET /console/meters/{id}", meter, purpose);
                        return null;
                    }), parts);
                    CompletableFuture<String> records = CompletableFuture.supplyAsync(() -> meterRecords.render(meter, times), parts);
                    String page;
                    try {
                        page = meterPage.render(meter, q, times);
                    } finally {
                        await(audited);
                    }
                    String body = page + await(records);
                    times.record("total", System.nanoTime() - t0);
                    ex.getResponseHeaders().set("Server-Timing", times.header());
                    html(ex, 200, Html.page("Meter " + meter, user(ex), body));
                } else if (path.startsWith("/console/districts/")) {
                    String district = URLDecoder.decode(path.substring("/console/districts/".length()), StandardCharsets.UTF_8);
                    if (district.isEmpty() || district.length() > 64 || district.contains("/")) {
                        throw new NotFoundException("no district " + district);
                    }
                    audit(ex, "GET /console/districts/{id}", "district:" + district, purpose(q));
                    html(ex, 200, Html.page("District " + district, user(ex), districtPage.render(district, q)));
                } else if (path.equals("/console/gateways")) {
                    audit(ex, "GET /console/gateways", "*", purpose(q));
                    html(ex, 200, Html.page("Gateways", user(ex), gatewaysPage.render()));
                } else {
                    throw new NotFoundException("no such page: " + path);
                }
            } catch (NotFoundException e) {
                html(ex, 404, Html.page("Not found", user(ex), "<p class=\"error\">" + Html.esc(e.getMessage()) + "</p>"));
            } catch (BadParameterException e) {
                html(ex, 400, Html.page("Bad request", user(ex), "<p class=\"error\">" + Html.esc(e.parameter()) + ": "
                        + Html.esc(e.getMessage()) + "</p>"));
            } catch (StoreException e) {
                log.warn("console page {} failed in the store: {}", path.startsWith("/console/meters/")
                        ? "/console/meters/{id}" : path, e.getMessage()); // the meter at DEBUG only
                log.debug("console page {} failed in the store", path);
                html(ex, 503, Html.page("Unavailable", user(ex), "<p class=\"error\">the store is unavailable</p>"));
            }
        } catch (IOException e) {
            log.debug("client went away: {}", e.getMessage());
        }
    }

    private void login(HttpExchange ex) throws IOException {
        if ("GET".equals(ex.getRequestMethod())) {
            html(ex, 200, loginPage(""));
            return;
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            html(ex, 405, loginPage("use the form"));
            return;
        }
        if (users == null) {
            redirect(ex, "/console/");
            return;
        }
        // A login form posted from another site would log the browser in as someone else (login CSRF).
        if (ex.getRequestHeaders().getFirst("Origin") != null && !AuthFilter.sameOrigin(ex)) {
            html(ex, 403, loginPage("cross-origin login refused"));
            return;
        }
        Map<String, String> f = form(new String(ex.getRequestBody().readNBytes(4096), StandardCharsets.UTF_8));
        String name = f.getOrDefault("user", "").strip();
        String address = ex.getRemoteAddress() == null ? "?" : ex.getRemoteAddress().getAddress().getHostAddress();
        PasswordLogin.Outcome outcome = new PasswordLogin(users, throttle, clock).attempt(name,
                f.getOrDefault("password", "").toCharArray(), address);
        if (outcome instanceof PasswordLogin.Locked l) {
            ex.getResponseHeaders().set("Retry-After", Long.toString(l.retryAfterSeconds()));
            html(ex, 429, loginPage("too many failed logins; try again later"));
            return;
        }
        if (!(outcome instanceof PasswordLogin.Accepted)) {
            html(ex, 401, loginPage("wrong user or password"));
            return;
        }
        String token = users.issueSession(name, SESSION, "console session");
        ex.getResponseHeaders().add("Set-Cookie", cookie(token, SESSION.toSeconds()));
        redirect(ex, "/console/");
    }

    /**
     * Ends the session on the server, not only in the browser: the cookie's token is revoked, so a copy of the
     * cookie (another tab, a shared machine's disk, a proxy log) stops working at once, not 8 hours later.
     */
    private void logout(HttpExchange ex) throws IOException {
        Optional<String> session = AuthFilter.sessionCookie(ex);
        if (users != null && session.isPresent()) {
            users.revoke(session.get(), user(ex));
        }
        ex.getResponseHeaders().add("Set-Cookie", cookie("", 0));
        redirect(ex, "/console/login");
    }

    private static String cookie(String value, long maxAge) {
        return AuthFilter.SESSION_COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict";
    }

    private static String loginPage(String error) {
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Log in · meterhub</title>
                <link rel="stylesheet" href="/console/assets/console.css"></head>
                <body class="login"><main><h1>meterhub console</h1>
                <form method="post" action="/console/login">
                <label>User <input name="user" id="user" autocomplete="username" required></label>
                <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
                <button type="submit" id="login">Log in</button>
                <p class="error">%s</p>
                </form></main></body></html>
                """.formatted(Html.esc(error));
    }

    private void asset(HttpExchange ex, String name) throws IOException {
        String[] a = ASSETS.get(name);
        if (a == null) throw new NotFoundException("no such asset: " + name);
        byte[] body;
        try (InputStream in = ConsoleHandler.class.getClassLoader().getResourceAsStream(a[0])) {
            if (in == null) throw new NotFoundException("asset missing from the build: " + name);
            body = in.readAllBytes();
        }
        ex.getResponseHeaders().set("Content-Type", a[1] + "; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The result of a part fetched on {@link #parts}; what it threw is thrown here, as if it had run on this thread. */
    private static <T> T await(CompletableFuture<T> part) {
        try {
            return part.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Console reads are audited like the API's: who looked at which meter, and why. */
    private void audit(HttpExchange ex, String action, String subject, String purpose) {
        store.audit(new AuditEntry(clock.instant(), user(ex), action, subject,
                ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery(),
                String.valueOf(ex.getRemoteAddress()), purpose));
    }

    /** The purpose the page was opened with ({@code ?purpose=}), cleaned; empty when none. */
    private static String purpose(Map<String, String> q) {
        try {
            return PurposePolicy.clean(q.get(PurposePolicy.PARAMETER));
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(PurposePolicy.PARAMETER, e.getMessage());
        }
    }

    /**
     * True when the reader stated a purpose or needs none; otherwise answers 400 with a form asking for one (nothing
     * of the household is shown or audited as read).
     */
    private boolean purposeStated(HttpExchange ex, String path, Map<String, String> q, String question) throws IOException {
        Optional<String> missing = purposes.missing(AuthFilter.principal(ex), purpose(q));
        if (missing.isEmpty()) return true;
        html(ex, 400, Html.page("Purpose required", user(ex), Html.purposeForm(path, q, question + " Your role ("
                + AuthFilter.principal(ex).map(p -> p.role().wire()).orElse("?") + ") must state a purpose: it is kept in"
                + " the audit trail with this read.")));
        return false;
    }

    private static String user(HttpExchange ex) {
        return AuthFilter.principal(ex).map(Principal::name).orElse("anonymous");
    }

    static Map<String, String> form(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            try {
                m.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new BadParameterException(pair.substring(0, eq), "malformed percent-encoding");
            }
        }
        return m;
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().set("Location", to);
        ex.sendResponseHeaders(303, -1);
    }

    private static void html(HttpExchange ex, int status, String page) throws IOException {
        byte[] body = page.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store"); // personal data
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
