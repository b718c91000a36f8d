package org.meterhub.benchmarks.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.console.ConsoleHandler;
import org.meterhub.engine.console.ConsoleSettings;
import org.meterhub.engine.query.LastReadings;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Page-load latency of the console's meter page (chart at each step, readings table, findings and
 * alarms) over loopback HTTP with authentication (a Bearer token), with the API's reports the page is
 * built from measured in the same run as peers: the chart's consumption at each step and the week's
 * readings. HdrHistogram p50/p99/max. Target from issue 16: p99 ≤ 300 ms for a meter with a year of
 * hourly data in a 100 M-row store.
 *
 * <p>Two modes:
 * <ul>
 * <li>self-contained (no {@code --db}): a temporary SQLite store with one meter's year of hourly readings
 *     and intervals, deleted afterwards;</li>
 * <li>{@code --db URL --meter M}: an existing store (SQLite file or PostgreSQL/TimescaleDB, e.g. a 100 M-row
 *     corpus), read as it is. It writes only what the console writes for any reader: a token-only viewer
 *     {@code bench-…} with one token (revoked and the user disabled at the end; rows are never deleted) and an
 *     audit row per page read. Pending migrations are applied, as by every meterhub command.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.console.ConsolePageLoad [requests]
 * java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.console.ConsolePageLoad --db URL --meter M
 *      [--requests 300] [--warmup 50] [--zone Asia/Shanghai]
 * </pre>
 */
public final class ConsolePageLoad {
    private static final String METER = "30000000000101";
    private static final Duration READINGS_SPAN = Duration.ofDays(7);

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int requests = Integer.parseInt(opts.getOrDefault("--requests", opts.getOrDefault("", "300")));
        int warmup = Integer.parseInt(opts.getOrDefault("--warmup", "50"));
        ZoneId zone = ZoneId.of(opts.getOrDefault("--zone", "Asia/Shanghai"));
        if (requests < 1 || warmup < 0) throw new IllegalArgumentException("--requests: at least 1; --warmup: at least 0");
        System.out.printf("load average (1 min) at start: %.2f on %d cores%n", loadAverage(),
                Runtime.getRuntime().availableProcessors());
        if (opts.containsKey("--db")) {
            String meter = opts.get("--meter");
            if (meter == null) throw new IllegalArgumentException("--db needs --meter M: the meter whose page to load");
            existing(opts.get("--db"), meter, zone, requests, warmup);
        } else {
            selfContained(zone, requests, warmup);
        }
        System.out.printf("load average (1 min) at end: %.2f%n", loadAverage());
    }

    private static void selfContained(ZoneId zone, int requests, int warmup) throws Exception {
        Path dir = Files.createTempDirectory("console-bench");
        Path file = dir.resolve("bench.db");
        Instant end = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        try (SqliteStore store = new SqliteStore(file); SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + file)) {
            int rows = writeYear(store, end);
            System.out.printf("self-contained: a temporary SQLite store, one meter with %,d hourly readings and intervals%n", rows);
            run(store, db, zone, METER, requests, warmup);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void existing(String url, String meter, ZoneId zone, int requests, int warmup) throws Exception {
        try (TimeSeriesStore store = StoreFactory.open(url); SqlDatabase db = SqlDatabase.open(url)) {
            if (store.meter(meter).isEmpty()) throw new IllegalArgumentException("--meter: no meter " + meter + " in " + store.describe());
            Instant last = store.lastReading(meter).map(Reading::time)
                    .orElseThrow(() -> new IllegalArgumentException("--meter: meter " + meter + " has no readings"));
            System.out.printf("existing store %s: meter %s, %,d readings in the year to its last reading %s%n", store.describe(),
                    meter, store.readingTimes(meter, last.minus(Duration.ofDays(366)), last.plusMillis(1)), last);
            run(store, db, zone, meter, requests, warmup);
        }
    }

    /** Serves the console on the store and measures the meter's page and its reports. */
    private static void run(TimeSeriesStore store, SqlDatabase db, ZoneId zone, String meter, int requests, int warmup)
            throws Exception {
        JdbcUsers users = new JdbcUsers(db, PasswordHasher.defaults(), Clock.systemUTC());
        String user = "bench-" + Long.toString(System.nanoTime() & 0xffffffL, 36);
        users.add(user, Role.VIEWER, null, "ConsolePageLoad");
        String token = users.issueToken(user, "page-load benchmark", Optional.of(Instant.now().plus(Duration.ofDays(1))),
                "ConsolePageLoad");
        try {
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), Clock.systemUTC());
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder b = ApiServer.builder(store, zone, Clock.systemUTC()).threads(2)
                    .alarms(new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                            Clock.systemUTC()))
                    .filter(new AuthFilter(users, throttle, open, Clock.systemUTC()));
            b.context("/console/", new ConsoleHandler(store, b.reports(), Clock.systemUTC(), users, throttle,
                    new LastReadings(db), ConsoleSettings.defaults(), db));
            try (ApiServer api = b.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();
                String m = URLEncoder.encode(meter, StandardCharsets.UTF_8);
                HttpClient http = HttpClient.newHttpClient();
                // The page's ranges: each step's chart ends at the meter's last reading, the readings table is its week.
                Instant end = store.lastReading(meter).map(Reading::time).orElseThrow();
                System.out.printf("%d requests per row after %d warm-up; store %s%n", requests, warmup, store.describe());
                System.out.printf("%-44s %8s %8s %8s %8s%n", "request", "p50 ms", "p99 ms", "max ms", "kB");
                Map<String, Map<String, Histogram>> parts = new java.util.LinkedHashMap<>();
                for (String step : List.of("hour", "day", "month")) {
                    parts.put(step, new java.util.LinkedHashMap<>());
                    measure(http, base + "/console/meters/" + m + "?step=" + step, token, requests, warmup,
                            "console meter page, " + step, parts.get(step));
                }
                measure(http, base + "/api/v1/meters/" + m + "/consumption?step=1h&from=" + end.minus(Duration.ofDays(31))
                        + "&to=" + end, token, requests, warmup, "peer: API consumption, 31 days hourly");
                measure(http, base + "/api/v1/meters/" + m + "/consumption?step=1d&from=" + end.minus(Duration.ofDays(366))
                        + "&to=" + end, token, requests, warmup, "peer: API consumption, a year daily");
                measure(http, base + "/api/v1/meters/" + m + "/consumption?step=1mo&from=" + end.minus(Duration.ofDays(3 * 365))
                        + "&to=" + end, token, requests, warmup, "peer: API consumption, 3 years monthly");
                measure(http, base + "/api/v1/meters/" + m + "/readings?from=" + end.minus(READINGS_SPAN) + "&to=" + end, token,
                        requests, warmup, "peer: API readings, the page's 7 days");
                System.out.println();
                System.out.println("the meter page's parts on the server (its Server-Timing header), p50 / p99 ms:");
                System.out.printf("%-18s", "part");
                for (String step : parts.keySet()) System.out.printf(" %19s", step);
                System.out.println();
                java.util.Set<String> names = new java.util.LinkedHashSet<>();
                parts.values().forEach(p -> names.addAll(p.keySet()));
                for (String name : names) {
                    System.out.printf("%-18s", name);
                    for (Map<String, Histogram> p : parts.values()) {
                        Histogram h = p.get(name);
                        System.out.printf(" %19s", h == null ? "-" : String.format("%8.1f / %8.1f",
                                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3));
                    }
                    System.out.println();
                }
            }
        } finally {
            // Nothing is deleted: the benchmark's token is revoked and its user disabled, as rows of their own.
            users.revoke(token, "ConsolePageLoad");
            users.disable(user, "ConsolePageLoad", "benchmark finished");
        }
    }

    /** {@code --name value} pairs; a lone number is the request count (the self-contained mode's old form). */
    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + ": needs a value");
                if (!Set.of("--db", "--meter", "--requests", "--warmup", "--zone").contains(args[i])) {
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; expected --db URL --meter M [--requests N] [--warmup N] [--zone Z], or a request count");
                }
                m.put(args[i], args[++i]);
            } else {
                m.put("", args[i]);
            }
        }
        return m;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void measure(HttpClient http, String url, String token, int requests, int warmup, String label)
            throws Exception {
        measure(http, url, token, requests, warmup, label, null);
    }

    /** Also collects the response's Server-Timing parts (microseconds) into {@code parts}, when given. */
    private static void measure(HttpClient http, String url, String token, int requests, int warmup, String label,
                                Map<String, Histogram> parts) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build();
        Histogram h = new Histogram(60_000_000_000L, 3);
        long bytes = 0;
        for (int i = 0; i < warmup + requests; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            long t = System.nanoTime() - t0;
            if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode());
            if (i >= warmup) {
                h.recordValue(t);
                if (parts != null) serverTiming(r, parts);
            }
            bytes = r.body().length;
        }
        System.out.printf("%-44s %8.1f %8.1f %8.1f %8d%n", label, h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, bytes / 1024);
    }

    /** {@code name;dur=12.34, …} into one histogram (microseconds) per name. */
    private static void serverTiming(HttpResponse<?> r, Map<String, Histogram> parts) {
        String header = r.headers().firstValue("Server-Timing")
                .orElseThrow(() -> new IllegalStateException("the meter page sent no Server-Timing header"));
        for (String entry : header.split(",\\s*")) {
            String[] f = entry.split(";dur=");
            parts.computeIfAbsent(f[0].strip(), k -> new Histogram(60_000_000L, 3))
                    .recordValue(Math.round(Double.parseDouble(f[1]) * 1e3));
        }
    }

    /** A year of hourly readings and intervals ending at {@code end}; returns how many hours. */
    private static int writeYear(SqliteStore store, Instant end) {
        Instant start = end.minus(Duration.ofDays(365));
        store.saveProfile(new MeterProfile(new MeterInfo(METER, Medium.WATER, 0, start, MeterInfo.CJT188_CAPACITY_L), "AMR",
                CustomerClass.RESIDENTIAL, "1.5", 6_000L, LocalDate.of(2024, 1, 1), "D1", "B1", MeterRole.CUSTOMER));
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        long register = 0;
        for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofHours(1))) {
            long litres = 10 + Math.floorMod(t.getEpochSecond() / 3600 * 7919, 300);
            register += litres;
            intervals.add(new ConsumptionInterval(METER, t, t.plus(Duration.ofHours(1)), litres, Set.of()));
            readings.add(new Reading(METER, t.plus(Duration.ofHours(1)), t.plus(Duration.ofHours(1)), register,
                    ReadingSource.MODBUS, Set.of(), 0));
        }
        for (int k = 0; k < readings.size(); k += 2000) {
            store.append(readings.subList(k, Math.min(k + 2000, readings.size())),
                    intervals.subList(k, Math.min(k + 2000, intervals.size())));
        }
        return readings.size();
    }
}
