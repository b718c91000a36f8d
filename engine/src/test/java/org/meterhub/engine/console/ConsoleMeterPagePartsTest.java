package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.query.LastReadings;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.security.Role;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.SqliteStore;

/**
 * The meter page's parts: each timed in its Server-Timing header, the read audited before the page is
 * sent, and the week's readings and flags (read once for both) the same reports the API gives.
 */
class ConsoleMeterPagePartsTest {
    private static final String METER = "30000000000101";
    private static final Instant END = Instant.parse("2026-03-01T00:00:00Z");

    @Test
    void everyPartIsTimedAndTheReadAudited(@TempDir Path dir) throws Exception {
        Clock clock = Clock.systemUTC();
        String url = "jdbc:sqlite:" + dir.resolve("s.db");
        try (SqliteStore store = new SqliteStore(dir.resolve("s.db")); SqlDatabase db = SqlDatabase.open(url)) {
            write(store);
            JdbcUsers users = new JdbcUsers(db, new PasswordHasher(1024, 1, 1), clock);
            users.add("viewer.kim", Role.VIEWER, null, "test");
            String token = users.issueToken("viewer.kim", "test", Optional.of(Instant.now().plus(Duration.ofHours(1))), "test");
            LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), clock);
            List<String> open = new ArrayList<>(List.of("/health/"));
            open.addAll(ConsoleHandler.OPEN_PREFIXES);
            ApiServer.Builder b = ApiServer.builder(store, ZoneId.of("Asia/Shanghai"), clock).threads(2)
                    .filter(new AuthFilter(users, throttle, open, clock));
            b.context("/console/", new ConsoleHandler(store, b.reports(), clock, users, throttle, new LastReadings(db),
                    ConsoleSettings.defaults(), db));
            Instant before = Instant.now();
            try (ApiServer api = b.start()) {
                String base = "http://127.0.0.1:" + api.address().getPort();
                for (String step : List.of("hour", "day", "month")) {
                    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create(base + "/console/meters/" + METER + "?step=" + step))
                            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(page.statusCode()).isEqualTo(200);
                    assertThat(page.body()).contains("Readings, last 7 days").contains("Validation findings")
                            .contains("Meter record");
                    String timing = page.headers().firstValue("Server-Timing").orElseThrow();
                    List<String> names = Arrays.stream(timing.split(",\\s*")).map(e -> e.split(";dur=")[0]).toList();
                    assertThat(names).containsExactlyInAnyOrder("audit", "last_reading", "consumption",
                            "readings_and_flags", "alarms", "valve_decisions", "retirements", "estimates", "true_ups",
                            "profile", "lifecycle", "total");
                    assertThat(timing).matches("([a-z_]+;dur=[0-9]+\\.[0-9]{2})(, [a-z_]+;dur=[0-9]+\\.[0-9]{2})*");
                }
            }
            List<AuditEntry> reads = store.auditTrail(before, Instant.now().plusSeconds(1)).stream()
                    .filter(e -> e.action().equals("GET /console/meters/{id}")).toList();
            assertThat(reads).hasSize(3).allSatisfy(e -> assertThat(e.subject()).isEqualTo(METER));

            // One read for both tables, the same reports as the API's readings and flags.
            Reports reports = b.reports();
            Instant from = END.minus(Duration.ofDays(7));
            Reports.ReadingsAndFlags both = reports.readingsAndFlags(METER, from, END);
            assertThat(both.readings()).isEqualTo(reports.readings(METER, from, END));
            assertThat(both.flags()).isEqualTo(reports.flags(METER, from, END));
            assertThat(both.flags().rows()).as("a flagged reading and a flagged interval").hasSize(2);
        }
    }

    /** Two weeks of hourly readings and intervals to END, one reading flagged, one interval estimated. */
    private static void write(SqliteStore store) {
        Instant start = END.minus(Duration.ofDays(14));
        store.saveProfile(new MeterProfile(new MeterInfo(METER, Medium.WATER, 0, start, MeterInfo.CJT188_CAPACITY_L), "AMR",
                CustomerClass.RESIDENTIAL, "1.5", 6_000L, LocalDate.of(2024, 1, 1), "D1", "B1", MeterRole.CUSTOMER));
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        long register = 0;
        for (Instant t = start; t.isBefore(END); t = t.plus(Duration.ofHours(1))) {
            register += 10;
            boolean odd = t.equals(END.minus(Duration.ofDays(2)));
            intervals.add(new ConsumptionInterval(METER, t, t.plus(Duration.ofHours(1)), 10,
                    odd ? Set.of(IntervalFlag.ESTIMATED) : Set.of()));
            readings.add(new Reading(METER, t.plus(Duration.ofHours(1)), t.plus(Duration.ofHours(1)), register,
                    ReadingSource.MODBUS, odd ? Set.of(ReadingFlag.LOW_BATTERY) : Set.of(), 0));
        }
        store.append(readings, intervals);
    }
}
