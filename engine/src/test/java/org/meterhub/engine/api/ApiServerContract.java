package org.meterhub.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.AuditEntry;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The HTTP API over loopback on a store holding {@link TestFleet}, alarms written by the alarm
 * lifecycle into the real {@code alarms} table, a meter whose clock was kept apart and a few
 * accounts. Runs on SQLite ({@link ApiServerTest}) and on the real PostgreSQL
 * ({@link ApiServerPostgresTest}); both must answer alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiServerContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METER = TestFleet.CUSTOMERS.get(0);
    private static final Instant NOW = Instant.parse("2024-02-03T00:00:00Z");

    static final String SKEWED_METER = "50000000000001";
    static final Instant SKEWED_AT = Instant.parse("2024-02-01T02:00:00Z");
    static final Instant SKEWED_CLOCK = Instant.parse("2024-02-01T01:12:34.567Z");
    private TimeSeriesStore store;
    private ApiServer server;
    private List<ConsumptionInterval> written;
    private final HttpClient http = HttpClient.newHttpClient();
    private Alarm leak;
    private Alarm fault;

    /** A new, empty store; the contract closes it. */
    abstract TimeSeriesStore openStore() throws Exception;

    /** The URL of the same database, for the alarm lifecycle's own connection. */
    abstract String url();

    /** Drops what {@link #openStore()} created. */
    abstract void dropStore() throws Exception;

    @BeforeAll
    void start() throws Exception {
        store = openStore();
        written = TestFleet.write(store);
        store.registerMeter(new MeterInfo(SKEWED_METER, Medium.GAS, 0, TestFleet.START, MeterInfo.CJT188_CAPACITY_L));
        store.append(List.of(
                new Reading(SKEWED_METER, SKEWED_AT, SKEWED_AT, 100, ReadingSource.CJT188, Set.of(ReadingFlag.CLOCK_SKEW),
                        0, SKEWED_CLOCK),
                new Reading(SKEWED_METER, SKEWED_AT.plusSeconds(900), SKEWED_AT.plusSeconds(900), 120,
                        ReadingSource.CJT188, Set.of(), 0, null)), List.of());
        try (SqlDatabase db = SqlDatabase.open(url())) {
            AlarmService alarms = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(),
                    AlarmSink.none(), Clock.fixed(NOW, ZoneOffset.UTC));
            leak = alarms.raise(AlarmKind.NIGHT_FLOW, METER, "flow 120 L/h between 02:00 and 04:00",
                    OptionalLong.of(240), Instant.parse("2024-02-01T20:00:00Z"));
            fault = alarms.raise(AlarmKind.METER_FAULT, TestFleet.CUSTOMERS.get(1), "valve fault reported",
                    OptionalLong.empty(), Instant.parse("2024-02-02T03:00:00Z"));
            alarms.acknowledge(leak.id(), "fitter-7");
        }
        LocalDate thisMonth = LocalDate.of(2024, 2, 1); // NOW is 2024-02-03 in Shanghai
        store.saveAccount(new Account("A-1", METER, AccountState.IGNITED, CustomerClass.RESIDENTIAL, TestFleet.DISTRICT,
                LocalDate.of(2021, 3, 4), NOW));
        store.saveAccount(new Account("A-2", TestFleet.CUSTOMERS.get(1), AccountState.IGNITED, CustomerClass.COMMERCIAL,
                TestFleet.DISTRICT, null, NOW));
        store.saveAccount(new Account("A-3", TestFleet.CUSTOMERS.get(2), AccountState.IGNITED, CustomerClass.RESIDENTIAL,
                TestFleet.DISTRICT, thisMonth.plusDays(1), NOW)); // ignited this month: not read yet
        store.saveAccount(new Account("A-4", null, AccountState.VACANT, CustomerClass.RESIDENTIAL, TestFleet.DISTRICT,
                LocalDate.of(2020, 1, 1), NOW));
        store.saveAccount(new Account("A-5", null, AccountState.SEALED, CustomerClass.RESIDENTIAL, "D8",
                LocalDate.of(2020, 1, 1), NOW));
        store.saveAccount(new Account("A-6", null, AccountState.SUSPENDED, CustomerClass.INDUSTRIAL, "D8",
                LocalDate.of(2019, 1, 1), NOW));
        store.saveAccount(new Account("A-7", null, AccountState.REMOVED, CustomerClass.RESIDENTIAL, "D8", null, NOW));
        store.saveAccount(new Account("A-8", null, AccountState.IGNITED, CustomerClass.INDUSTRIAL, "D8",
                LocalDate.of(2023, 12, 31), NOW));
        store.saveAccount(new Account("A-9", null, AccountState.AWAITING_IGNITION, CustomerClass.RESIDENTIAL, "D8", null, NOW));
        store.saveAccount(new Account("A-10", null, AccountState.REGISTERED, CustomerClass.RESIDENTIAL, "D8", null, NOW));
        server = ApiServer.start(new InetSocketAddress("127.0.0.1", 0), store, ZoneId.of("Asia/Shanghai"),
                Clock.fixed(NOW, ZoneOffset.UTC), 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
        dropStore();
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + pathAndQuery));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void dailyConsumptionAsJsonSumsTheIntervalsAndMarksEstimates() throws Exception {
        HttpResponse<String> r = get("/api/v1/meters/" + METER + "/consumption?from=2024-01-30&to=2024-02-03&step=1d",
                "X-Meterhub-User", "alice");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("series")).hasSize(4);
        assertThat(body.get("series").get(2).get("start").asText()).isEqualTo("2024-02-01T00:00:00+08:00");
        long expected = written.stream().filter(i -> i.meterId().equals(METER) && !i.start().isBefore(TestFleet.START)
                && i.start().isBefore(TestFleet.END)).mapToLong(ConsumptionInterval::volumeL).sum();
        assertThat(body.get("total_l").asLong()).isEqualTo(expected);
        long sum = 0;
        for (JsonNode b : body.get("series")) {
            sum += b.get("volume_l").asLong();
            assertThat(b.has("estimated")).isTrue();
            assertThat(b.get("flags").isArray()).isTrue();
            assertThat(b.get("estimated").asBoolean()).isEqualTo(b.get("flags").toString().contains("estimated"));
        }
        assertThat(sum).isEqualTo(expected);
        List<AuditEntry> audit = store.auditTrail(NOW.minusSeconds(1), NOW.plusSeconds(1));
        assertThat(audit).anyMatch(a -> a.actor().equals("alice") && a.subject().equals(METER)
                && a.action().equals("GET /api/v1/meters/{id}/consumption") && a.detail().contains("step=1d")
                && a.client().contains("127.0.0.1"));
    }

    @Test
    void csvByParameterOrAcceptHeader() throws Exception {
        HttpResponse<String> byParam = get("/api/v1/meters/" + METER + "/readings?from=2024-01-31&to=2024-02-01&format=csv");
        HttpResponse<String> byHeader = get("/api/v1/meters/" + METER + "/readings?from=2024-01-31&to=2024-02-01",
                "Accept", "text/csv");
        assertThat(byParam.statusCode()).isEqualTo(200);
        assertThat(byParam.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
        assertThat(byHeader.body()).isEqualTo(byParam.body());
        List<String> lines = byParam.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("time,received_at,meter_time,source,register_l,register_m3,status_bits,estimated,flags,validation");
        assertThat(lines).hasSizeGreaterThan(80); // a day of quarter-hours, with gaps
        assertThat(lines).anyMatch(l -> l.endsWith(",low_battery,")); // flags, then the (empty) validation column
    }

    @Test
    void badParametersAre400NamingTheParameter() throws Exception {
        for (String[] c : List.of(new String[] {"?from=2024-01-30&to=2024-02-03&step=2w", "step"},
                new String[] {"?from=yesterday&to=2024-02-03", "from"},
                new String[] {"?from=2024-01-30", "to"},
                new String[] {"?from=2024-02-03&to=2024-01-30", "to"},
                new String[] {"?from=2024-01-30&to=2024-02-03&format=xml", "format"})) {
            HttpResponse<String> r = get("/api/v1/meters/" + METER + "/consumption" + c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("parameter").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(body.get("error").asText()).startsWith(c[1] + ":");
        }
        assertThat(JSON.readTree(get("/api/v1/top-consumers?from=2024-01-30&to=2024-02-03&limit=0").body())
                .get("parameter").asText()).isEqualTo("limit");
        assertThat(get("/api/v1/meters/nobody/consumption?from=2024-01-30&to=2024-02-03").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void healthDistrictTopAndAlarms() throws Exception {
        JsonNode health = JSON.readTree(get("/api/v1/meters/" + METER + "/health?from=2024-01-30&to=2024-02-03"
                + "&interval=15m").body());
        assertThat(health.get("reads_expected").asLong()).isEqualTo(4 * 24 * 4);
        assertThat(health.get("reads_received").asLong()).isBetween(300L, 384L);
        assertThat(health.get("read_success_rate").asText()).matches("0\\.[89][0-9]{3}");
        assertThat(health.get("battery").asText()).isIn("ok", "low");

        JsonNode balance = JSON.readTree(get("/api/v1/districts/" + TestFleet.DISTRICT
                + "/balance?from=2024-01-30&to=2024-02-03").body());
        assertThat(balance.get("loss_l").asLong())
                .isEqualTo(balance.get("inlet_l").asLong() - balance.get("customers_l").asLong()).isPositive();
        JsonNode district = JSON.readTree(get("/api/v1/districts/" + TestFleet.DISTRICT
                + "/consumption?from=2024-01-30&to=2024-02-03").body());
        assertThat(district.get("meters")).hasSize(TestFleet.CUSTOMERS.size());

        JsonNode top = JSON.readTree(get("/api/v1/top-consumers?from=2024-01-30&to=2024-02-03&limit=2").body());
        assertThat(top.get("meters")).hasSize(2);
        assertThat(top.get("meters").get(0).get("meter").asText()).isEqualTo(TestFleet.INLET);
        assertThat(top.get("meters").get(0).get("volume_l").asLong())
                .isGreaterThanOrEqualTo(top.get("meters").get(1).get("volume_l").asLong());

        JsonNode flags = JSON.readTree(get("/api/v1/meters/" + METER + "/flags?from=2024-01-30&to=2024-02-03").body());
        assertThat(flags.get("flags").size()).isPositive();

    }

    @Test
    void readingsShowTheMeterClockWhereItWasKeptApart() throws Exception {
        JsonNode body = JSON.readTree(get("/api/v1/meters/" + SKEWED_METER + "/readings?from=2024-02-01&to=2024-02-02")
                .body());
        assertThat(body.get("readings")).hasSize(2);
        JsonNode skewed = body.get("readings").get(0);
        assertThat(skewed.get("time").asText()).isEqualTo("2024-02-01T10:00:00+08:00");
        assertThat(skewed.get("meter_time").asText()).isEqualTo("2024-02-01T09:12:34.567+08:00");
        assertThat(skewed.get("flags").toString()).contains("clock_skew");
        assertThat(body.get("readings").get(1).get("meter_time").isNull()).isTrue();
        String csv = get("/api/v1/meters/" + SKEWED_METER + "/readings?from=2024-02-01&to=2024-02-02&format=csv").body();
        assertThat(csv.lines().toList().get(1)).startsWith("2024-02-01T10:00:00+08:00,2024-02-01T10:00:00+08:00,"
                + "2024-02-01T09:12:34.567+08:00,cjt188,100,");
        assertThat(csv.lines().toList().get(2)).contains("+08:00,,cjt188,120,");
    }

    @Test
    void alarmsComeFromTheAlarmsTableNewestFirstWithTheirLifecycle() throws Exception {
        JsonNode all = JSON.readTree(get("/api/v1/alarms?limit=10").body());
        assertThat(all.get("available").asBoolean()).isTrue();
        assertThat(all.get("count").asInt()).isEqualTo(2);
        JsonNode newest = all.get("alarms").get(0);
        assertThat(newest.get("alarm_id").asLong()).isEqualTo(fault.id());
        assertThat(newest.get("kind").asText()).isEqualTo("METER_FAULT");
        assertThat(newest.get("category").asText()).isEqualTo("FAULT");
        assertThat(newest.get("observed_at").asText()).isEqualTo("2024-02-02T11:00:00+08:00"); // the meter's time
        assertThat(newest.get("raised_at").asText()).isEqualTo("2024-02-03T08:00:00+08:00"); // when the engine learned
        assertThat(newest.get("deadline_rule").asText()).isEqualTo("gas/repair");
        assertThat(newest.get("state").asText()).isEqualTo("RAISED");
        assertThat(newest.get("volume_lost_l").isNull()).isTrue();
        JsonNode older = all.get("alarms").get(1);
        assertThat(older.get("kind").asText()).isEqualTo("NIGHT_FLOW");
        assertThat(older.get("state").asText()).isEqualTo("ACKNOWLEDGED");
        assertThat(older.get("acknowledged_by").asText()).isEqualTo("fitter-7");
        assertThat(older.get("volume_lost_l").asLong()).isEqualTo(240);
        assertThat(older.get("acknowledge_by").isNull()).as("a gas leak has a handling deadline").isFalse();

        JsonNode mine = JSON.readTree(get("/api/v1/meters/" + METER + "/alarms").body());
        assertThat(mine.get("alarms")).hasSize(1);
        assertThat(mine.get("alarms").get(0).get("alarm_id").asLong()).isEqualTo(leak.id());
        assertThat(JSON.readTree(get("/api/v1/alarms?meter=" + TestFleet.CUSTOMERS.get(1)).body()).get("alarms"))
                .hasSize(1);
        assertThat(JSON.readTree(get("/api/v1/alarms?limit=1").body()).get("alarms")).hasSize(1);
        List<String> csv = get("/api/v1/alarms?format=csv").body().lines().toList();
        assertThat(csv.get(0)).startsWith("alarm_id,kind,category,subject,meter_id,detail,volume_lost_l,observed_at,raised_at,");
        assertThat(csv).hasSize(3);
    }

    @Test
    void accountsToReadAreIgnitedOnesNotIgnitedThisMonth() throws Exception {
        JsonNode feb = JSON.readTree(get("/api/v1/accounts/to-read").body()); // NOW: February 2024 in Shanghai
        assertThat(feb.get("month").asText()).isEqualTo("2024-02");
        assertThat(feb.get("accounts")).extracting(a -> a.get("account").asText()).containsExactly("A-1", "A-2", "A-8");
        // the seed's formula: ignited 8 = registered 10 − awaiting ignition 2;
        // to read 3 = 8 − vacant 1 − removed 1 − suspended 1 − sealed 1 − ignited this month 1
        assertThat(feb.get("registered").asInt()).isEqualTo(10);
        assertThat(feb.get("awaiting_ignition").asInt()).isEqualTo(2);
        assertThat(feb.get("ignited").asInt()).isEqualTo(8);
        assertThat(feb.get("ignited_this_month").asInt()).isEqualTo(1);
        assertThat(List.of(feb.get("vacant").asInt(), feb.get("removed").asInt(), feb.get("suspended").asInt(),
                feb.get("sealed").asInt())).containsExactly(1, 1, 1, 1);
        assertThat(feb.get("to_read").asInt()).isEqualTo(3).isEqualTo(8 - 1 - 1 - 1 - 1 - 1);

        JsonNode march = JSON.readTree(get("/api/v1/accounts/to-read?month=2024-03&district=" + TestFleet.DISTRICT)
                .body());
        assertThat(march.get("accounts")).extracting(a -> a.get("account").asText())
                .containsExactly("A-1", "A-2", "A-3");
        HttpResponse<String> bad = get("/api/v1/accounts/to-read?month=March");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("parameter").asText()).isEqualTo("month");
        assertThat(store.auditTrail(NOW.minusSeconds(1), NOW.plusSeconds(1)))
                .anyMatch(a -> a.action().equals("GET /api/v1/accounts/to-read") && a.subject().equals("district:D7"));
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.address().getPort() + "/api/v1/alarms")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
    }
}
