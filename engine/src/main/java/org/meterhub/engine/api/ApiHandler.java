package org.meterhub.engine.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.Milestone;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.PurposePolicy;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.StoreException;
import org.meterhub.engine.store.TimeSeriesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes {@code GET /api/v1/...} to {@link Reports}. Every data access is written to the audit
 * trail before the data is sent; if the audit row cannot be written, no data is sent.
 */
final class ApiHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private static final Pattern METER = Pattern.compile(
            "/api/v1/meters/([^/]{1,64})/(consumption|readings|flags|health|alarms)");
    private static final Pattern DISTRICT = Pattern.compile("/api/v1/districts/([^/]{1,64})/(consumption|balance)");
    private static final Pattern ALARM_STEP = Pattern.compile("/api/v1/alarms/(\\d{1,18})/(acknowledge|on-site|resolve|follow-up)");
    /** The header carrying the caller's user name, set by the authenticating proxy in front. */
    static final String USER_HEADER = "X-Meterhub-User";

    private final TimeSeriesStore store;
    private final Reports reports;
    private final Clock clock;
    private final ReportWriter writer = new ReportWriter();
    /** Null: a read-only API (no alarm steps). */
    private final AlarmService alarms;
    private final PurposePolicy purposes;

    ApiHandler(TimeSeriesStore store, Reports reports, Clock clock, AlarmService alarms, PurposePolicy purposes) {
        this.store = store;
        this.reports = reports;
        this.clock = clock;
        this.alarms = alarms;
        this.purposes = purposes;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                if ("POST".equals(ex.getRequestMethod()) && alarms != null) {
                    alarmStep(ex);
                    return;
                }
                if (!"GET".equals(ex.getRequestMethod())) {
                    ex.getResponseHeaders().set("Allow", alarms == null ? "GET" : "GET, POST");
                    error(ex, 405, "method", alarms == null ? "only GET is supported" : "GET, or POST for an alarm step");
                    return;
                }
                Params params = Params.parse(ex.getRequestURI().getRawQuery(), reports.zone());
                ReportWriter.Format format = format(ex, params);
                Routed routed = route(ex.getRequestURI().getPath(), params);
                String purpose = purpose(ex, params);
                if (routed.household()) {
                    var missing = purposes.missing(AuthFilter.principal(ex), purpose);
                    if (missing.isPresent()) throw new BadParameterException(PurposePolicy.PARAMETER, missing.get());
                }
                audit(ex, routed, params, purpose);
                Report report = routed.run();
                byte[] body = writer.render(report, format).getBytes(StandardCharsets.UTF_8);
                send(ex, 200, format == ReportWriter.Format.CSV ? "text/csv; charset=utf-8" : "application/json", body);
            } catch (BadParameterException e) {
                error(ex, 400, e.parameter(), e.getMessage());
            } catch (NotFoundException e) {
                error(ex, 404, null, e.getMessage());
            } catch (StoreException e) {
                // The route, not the path: a path names a meter or district (personal data stays at DEBUG).
                log.warn("API request {} failed in the store: {}", routeOf(ex.getRequestURI().getPath()), e.getMessage());
                log.debug("API request {} failed in the store", ex.getRequestURI().getPath());
                error(ex, 503, null, "the store is unavailable");
            }
        } catch (IOException e) {
            log.debug("client went away: {}", e.getMessage());
        }
    }

    /**
     * A matched route: the audit description and the work.
     *
     * @param household whether it shows one household's data (a meter's series, its alarms) or ranks households
     *                  (top consumers): such a read needs a purpose from the roles that must state one
     */
    private record Routed(String action, String subject, ReportSupplier work, boolean household) {
        Routed(String action, String subject, ReportSupplier work) {
            this(action, subject, work, false);
        }

        Routed ofAHousehold() {
            return new Routed(action, subject, work, true);
        }

        Report run() {
            return work.get();
        }
    }

    @FunctionalInterface
    private interface ReportSupplier {
        Report get();
    }

    private Routed route(String path, Params p) {
        Matcher m = METER.matcher(path);
        if (m.matches()) {
            String meter = m.group(1);
            String what = m.group(2);
            String action = "GET /api/v1/meters/{id}/" + what;
            Routed meterRoute = switch (what) {
                case "consumption" -> {
                    Instant[] r = p.range(Reports.MAX_RANGE);
                    Step step = p.step("step", Step.HOUR);
                    yield new Routed(action, meter, () -> reports.consumption(meter, r[0], r[1], step));
                }
                case "readings" -> {
                    Instant[] r = p.range(Reports.MAX_RANGE);
                    yield new Routed(action, meter, () -> reports.readings(meter, r[0], r[1]));
                }
                case "flags" -> {
                    Instant[] r = p.range(Reports.MAX_RANGE);
                    yield new Routed(action, meter, () -> reports.flags(meter, r[0], r[1]));
                }
                case "health" -> {
                    Instant to = p.optionalTime("to").orElse(clock.instant());
                    Instant from = p.optionalTime("from").orElse(to.minus(Duration.ofDays(7)));
                    Params.checkRange(from, to, Reports.MAX_RANGE);
                    Duration interval = p.duration("interval", Duration.ofHours(1));
                    yield new Routed(action, meter, () -> reports.health(meter, from, to, interval));
                }
                default -> {
                    int limit = p.integer("limit", 100, 1, 10_000);
                    yield new Routed(action, meter, () -> reports.alarms(meter, limit));
                }
            };
            return meterRoute.ofAHousehold();
        }
        m = DISTRICT.matcher(path);
        if (m.matches()) {
            String district = m.group(1);
            Instant[] r = p.range(Reports.MAX_RANGE);
            String action = "GET /api/v1/districts/{id}/" + m.group(2);
            return "balance".equals(m.group(2))
                    ? new Routed(action, "district:" + district, () -> reports.balance(district, r[0], r[1]))
                    : new Routed(action, "district:" + district, () -> reports.district(district, r[0], r[1]));
        }
        if (path.equals("/api/v1/top-consumers")) {
            Instant[] r = p.range(Reports.MAX_RANGE);
            int limit = p.integer("limit", 10, 1, 10_000);
            return new Routed("GET /api/v1/top-consumers", "*", () -> reports.topConsumers(r[0], r[1], limit)).ofAHousehold();
        }
        if (path.equals("/api/v1/accounts/to-read")) {
            YearMonth month = p.month("month", YearMonth.from(clock.instant().atZone(reports.zone())));
            String district = p.text("district").orElse(null);
            return new Routed("GET /api/v1/accounts/to-read", district == null ? "*" : "district:" + district,
                    () -> reports.accountsToRead(month, district));
        }
        if (path.equals("/api/v1/coverage")) {
            YearMonth cycle = p.month("cycle", YearMonth.from(clock.instant().atZone(reports.zone())));
            Instant at = p.optionalTime("at").orElse(null);
            return new Routed("GET /api/v1/coverage", "cycle:" + cycle, () -> reports.coverage(cycle, at));
        }
        if (path.equals("/api/v1/gateways")) {
            return new Routed("GET /api/v1/gateways", "*", () -> reports.gateways(clock.instant()));
        }
        if (path.equals("/api/v1/gateways/buses")) {
            return new Routed("GET /api/v1/gateways/buses", "*", () -> reports.buses(clock.instant()));
        }
        if (path.equals("/api/v1/alarms/report")) {
            if (alarms == null) throw new NotFoundException("no alarm lifecycle on this server (a read-only store)");
            YearMonth month = p.month("month", YearMonth.from(clock.instant().atZone(reports.zone())));
            return new Routed("GET /api/v1/alarms/report", "month:" + month,
                    () -> reports.alarmDeadlines(month, alarms.report(month, reports.zone())));
        }
        if (path.equals("/api/v1/alarms")) {
            int limit = p.integer("limit", 100, 1, 10_000);
            String meter = p.text("meter").orElse(null);
            Routed list = new Routed("GET /api/v1/alarms", meter == null ? "*" : meter, () -> reports.alarms(meter, limit));
            return meter == null ? list : list.ofAHousehold();
        }
        throw new NotFoundException("no such endpoint: " + path);
    }

    /**
     * {@code POST /api/v1/alarms/{id}/acknowledge}, {@code .../on-site}, {@code .../resolve?note=…} and
     * {@code .../follow-up?note=…}: a person takes, reaches, closes or follows up an alarm. The step names that person
     * (the authenticated user, or without authentication the proxy's user header), is
     * audited first, and is stored as a new event of the alarm.
     */
    private void alarmStep(HttpExchange ex) throws IOException {
        Matcher m = ALARM_STEP.matcher(ex.getRequestURI().getPath());
        if (!m.matches()) {
            ex.getResponseHeaders().set("Allow", "GET");
            error(ex, 405, "method", "POST is for /api/v1/alarms/{id}/acknowledge, /on-site, /resolve or /follow-up");
            return;
        }
        Params params = Params.parse(ex.getRequestURI().getRawQuery(), reports.zone());
        String user = who(ex);
        if (user == null || user.isBlank()) {
            throw new BadParameterException(USER_HEADER, "an alarm step names who takes it; the header is missing");
        }
        long id = Long.parseLong(m.group(1));
        String step = m.group(2);
        String note = params.text("note").map(String::strip).orElse("");
        if (step.equals("resolve") && note.isEmpty()) throw new BadParameterException("note", "say what was found and done");
        String action = "POST /api/v1/alarms/{id}/" + m.group(2);
        audit(ex, new Routed(action, Long.toString(id), null), params, purpose(ex, params));
        Alarm a;
        try {
            a = switch (step) {
                case "resolve" -> alarms.resolve(id, actor(user), note);
                case "on-site" -> alarms.onSite(id, actor(user));
                case "follow-up" -> alarms.followUp(id, actor(user), note);
                default -> alarms.acknowledge(id, actor(user));
            };
        } catch (IllegalArgumentException e) {
            throw new NotFoundException(e.getMessage());
        } catch (IllegalStateException e) {
            error(ex, 409, null, e.getMessage());
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alarm_id", a.id());
        body.put("kind", a.kind().name());
        body.put("subject", a.subject());
        body.put("state", a.state().name());
        body.put("observed_at", a.observedAt().toString());
        body.put("raised_at", a.raisedAt().toString());
        body.put("deadline_rule", a.rule());
        for (Milestone ms : Milestone.values()) { // due, reached and met per deadline: on-site_by, on-site_at, on-site_met, ...
            String key = ms.label().replace('-', '_');
            body.put(key + "_due", a.dueOf(ms).map(Instant::toString).orElse(null));
            body.put(key + "_done_at", a.doneOf(ms).map(d -> d.at().toString()).orElse(null));
            body.put(key + "_met", a.met(ms).orElse(null));
        }
        body.put("acknowledged_at", a.acknowledgedAt().map(Instant::toString).orElse(null));
        body.put("acknowledged_by", a.acknowledgedBy().orElse(null));
        body.put("resolved_at", a.resolvedAt().map(Instant::toString).orElse(null));
        body.put("resolved_by", a.resolvedBy().orElse(null));
        body.put("resolution", a.resolution().orElse(null));
        send(ex, 200, "application/json", writer.json(body).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Who acts: the authenticated user when the server authenticates (a proxy's header is then ignored);
     * without authentication (tests, tools on loopback) the proxy's user header.
     */
    private static String who(HttpExchange ex) {
        return org.meterhub.engine.security.AuthFilter.principal(ex).map(org.meterhub.engine.security.Principal::name)
                .orElseGet(() -> ex.getRequestHeaders().getFirst(USER_HEADER));
    }

    private static String actor(String user) {
        String actor = user == null || user.isBlank() ? "anonymous" : user.strip();
        return actor.length() > 128 ? actor.substring(0, 128) : actor;
    }

    private void audit(HttpExchange ex, Routed routed, Params params, String purpose) {
        String actor = actor(who(ex));
        store.audit(new AuditEntry(clock.instant(), actor, routed.action(), routed.subject(),
                params.describeWithout(PurposePolicy.PARAMETER), String.valueOf(ex.getRemoteAddress()), purpose));
    }

    /** The stated purpose: {@code ?purpose=} or else the {@code X-Purpose} header; empty when neither. */
    private static String purpose(HttpExchange ex, Params params) {
        String stated = params.text(PurposePolicy.PARAMETER).orElseGet(() -> ex.getRequestHeaders().getFirst(PurposePolicy.HEADER));
        try {
            return PurposePolicy.clean(stated);
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(PurposePolicy.PARAMETER, e.getMessage());
        }
    }

    /** ?format=csv|json wins over the Accept header; JSON by default. */
    private static ReportWriter.Format format(HttpExchange ex, Params params) {
        var f = params.text("format");
        if (f.isPresent()) {
            return switch (f.get().strip().toLowerCase(Locale.ROOT)) {
                case "csv" -> ReportWriter.Format.CSV;
                case "json" -> ReportWriter.Format.JSON;
                default -> throw new BadParameterException("format", "expected csv or json, got \"" + f.get() + "\"");
            };
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv")
                ? ReportWriter.Format.CSV : ReportWriter.Format.JSON;
    }

    private void error(HttpExchange ex, int status, String parameter, String message) throws IOException {
        Map<String, Object> body = parameter == null
                ? Map.of("error", message, "status", status)
                : Map.of("error", message, "parameter", parameter, "status", status);
        send(ex, status, "application/json", writer.json(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store"); // personal data
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** A request path with its meter or district id replaced by {@code {id}}, for logs above DEBUG. */
    static String routeOf(String path) {
        return path.replaceAll("/(meters|districts)/[^/]+", "/$1/{id}");
    }
}
