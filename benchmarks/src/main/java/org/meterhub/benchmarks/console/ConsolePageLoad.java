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
import java.util.ArrayList;
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

/**
 * Page-load latency of the console's meter page for a meter with a year of hourly data (SQLite,
 * authenticated with a token, over loopback HTTP), at each chart step, against the API's
 * consumption report for the same range measured in the same run (the page's floor: the same query
 * without readings, findings, alarms and HTML). Target from issue 16: p99 ≤ 300 ms (at 100 M rows,
 * which this run does not build).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.meterhub.benchmarks.console.ConsolePageLoad [requests]</pre>
 */
public final class ConsolePageLoad {
    private static final String METER = "30000000000101";

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path dir = Files.createTempDirectory("console-bench");
        Path file = dir.resolve("bench.db");
        Instant end = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        try (SqliteStore store = new SqliteStore(file); SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + file)) {
            int rows = writeYear(store, end);
            JdbcUsers users = new JdbcUsers(db, PasswordHasher.defaults(), Clock.systemUTC());
            users.add("bench", Role.VIEWER, null, "bench");
            String token = users.issueToken("bench", "bench", Optional.empty(), "bench");
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), Clock.systemUTC());
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder b = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), Clock.systemUTC()).threads(2)
                    .alarms(new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                            Clock.systemUTC()))
                    .filter(new AuthFilter(users, throttle, open, Clock.systemUTC()));
            b.context("/console/", new ConsoleHandler(store, b.reports(), Clock.systemUTC(), users, throttle, db));
            // The same page without the records kept in the store's database (valve decisions, estimates and true-ups,
            // the lifecycle record), on a second server in the same run: what those sections cost.
            ApiServer.Builder bare = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), Clock.systemUTC()).threads(2)
                    .filter(new AuthFilter(users, throttle, open, Clock.systemUTC()));
            bare.context("/console/", new ConsoleHandler(store, bare.reports(), Clock.systemUTC(), users, throttle));
            try (ApiServer api = b.start(); ApiServer bareApi = bare.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();
                HttpClient http = HttpClient.newHttpClient();
                System.out.printf("meter with %,d hourly readings and intervals; %d requests per row after 50 warm-up%n", rows,
                        requests);
                System.out.printf("%-44s %8s %8s %8s %8s%n", "request", "p50 ms", "p99 ms", "max ms", "kB");
                for (String step : List.of("hour", "day", "month")) {
                    measure(http, base + "/console/meters/" + METER + "?step=" + step, token, requests, "console meter page, " + step);
                }
                measure(http, "http://127.0.0.1:" + bareApi.address().getPort() + "/console/meters/" + METER + "?step=hour",
                        token, requests, "peer: meter page, hour, without its records");
                Instant from = end.minus(Duration.ofDays(31));
                measure(http, base + "/api/v1/meters/" + METER + "/consumption?step=1h&from=" + from + "&to=" + end, token,
                        requests, "peer: API consumption, 31 days hourly");
                measure(http, base + "/api/v1/meters/" + METER + "/consumption?step=1d&from=" + end.minus(Duration.ofDays(366))
                        + "&to=" + end, token, requests, "peer: API consumption, a year daily");
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void measure(HttpClient http, String url, String token, int requests, String label) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build();
        Histogram h = new Histogram(60_000_000_000L, 3);
        long bytes = 0;
        for (int i = 0; i < 50 + requests; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            long t = System.nanoTime() - t0;
            if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode());
            if (i >= 50) h.recordValue(t);
            bytes = r.body().length;
        }
        System.out.printf("%-44s %8.1f %8.1f %8.1f %8d%n", label, h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, bytes / 1024);
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
