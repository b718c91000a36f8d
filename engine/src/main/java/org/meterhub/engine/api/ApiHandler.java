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
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meterhub.engine.query.Step;
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
    /** The header carrying the caller's user name, set by the authenticating proxy in front. */
    static final String USER_HEADER = "X-Meterhub-User";

    private final TimeSeriesStore store;
    private final Reports reports;
    private final Clock clock;
    private final ReportWriter writer = new ReportWriter();

    ApiHandler(TimeSeriesStore store, Reports reports, Clock clock) {
        this.store = store;
        this.reports = reports;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                if (!"GET".equals(ex.getRequestMethod())) {
                    ex.getResponseHeaders().set("Allow", "GET");
                    error(ex, 405, "method", "only GET is supported");
                    return;
                }
                Params params = Params.parse(ex.getRequestURI().getRawQuery(), reports.zone());
                ReportWriter.Format format = format(ex, params);
                Routed routed = route(ex.getRequestURI().getPath(), params);
                audit(ex, routed, params);
                Report report = routed.run();
                byte[] body = writer.render(report, format).getBytes(StandardCharsets.UTF_8);
                send(ex, 200, format == ReportWriter.Format.CSV ? "text/csv; charset=utf-8" : "application/json", body);
            } catch (BadParameterException e) {
                error(ex, 400, e.parameter(), e.getMessage());
            } catch (NotFoundException e) {
                error(ex, 404, null, e.getMessage());
            } catch (StoreException e) {
                log.warn("API request {} failed in the store: {}", ex.getRequestURI().getPath(), e.getMessage());
                error(ex, 503, null, "the store is unavailable");
            }
        } catch (IOException e) {
            log.debug("client went away: {}", e.getMessage());
        }
    }

    /** A matched route: the audit description and the work. */
    private record Routed(String action, String subject, ReportSupplier work) {
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
            return switch (what) {
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
            return new Routed("GET /api/v1/top-consumers", "*", () -> reports.topConsumers(r[0], r[1], limit));
        }
        if (path.equals("/api/v1/accounts/to-read")) {
            YearMonth month = p.month("month", YearMonth.from(clock.instant().atZone(reports.zone())));
            String district = p.text("district").orElse(null);
            return new Routed("GET /api/v1/accounts/to-read", district == null ? "*" : "district:" + district,
                    () -> reports.accountsToRead(month, district));
        }
        if (path.equals("/api/v1/alarms")) {
            int limit = p.integer("limit", 100, 1, 10_000);
            String meter = p.text("meter").orElse(null);
            return new Routed("GET /api/v1/alarms", meter == null ? "*" : meter, () -> reports.alarms(meter, limit));
        }
        throw new NotFoundException("no such endpoint: " + path);
    }

    private void audit(HttpExchange ex, Routed routed, Params params) {
        String user = ex.getRequestHeaders().getFirst(USER_HEADER);
        String actor = user == null || user.isBlank() ? "anonymous" : user.strip();
        if (actor.length() > 128) {
            actor = actor.substring(0, 128);
        }
        store.audit(new AuditEntry(clock.instant(), actor, routed.action(), routed.subject(), params.describe(),
                String.valueOf(ex.getRemoteAddress())));
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
}
