package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.engine.prepaid.JdbcLedgerStateStore;
import org.meterhub.engine.prepaid.PrepaidAlarm;
import org.meterhub.engine.prepaid.PrepaidAlarmKind;
import org.meterhub.engine.prepaid.PrepaidSettings;
import org.meterhub.engine.prepaid.Purchase;
import org.meterhub.engine.prepaid.ShadowLedger;
import org.meterhub.engine.prepaid.WorkItem;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.store.StoreFactory;

/**
 * Uplink alarms and ledger alarms go through {@link EngineAlarms} into the engine's alarm
 * lifecycle on a real store (SQLite file and a fresh PostgreSQL database): stored, acknowledged,
 * resolved when the condition ends, and listed by the store's query path.
 */
class MqttEngineAlarmsTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private static final String PG_ADMIN = pgAdminUrl();
    private static String pgName;
    private static String pgUrl;

    private final Clock clock = Clock.fixed(T0.plusSeconds(3600 * 5), ZoneOffset.UTC);
    private final List<WorkItem> work = new ArrayList<>();

    @BeforeAll
    static void createPg() throws Exception {
        pgName = "mh_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        try (Connection c = DriverManager.getConnection(PG_ADMIN); Statement s = c.createStatement()) {
            s.execute("create database " + pgName);
        } catch (Exception e) {
            throw new AssertionError("PostgreSQL needed at " + PG_ADMIN.replaceAll("password=[^&]*", "password=***")
                    + " (set METERHUB_PG_URL): " + e.getMessage(), e);
        }
        pgUrl = PG_ADMIN.replaceFirst("^(jdbc:postgresql://[^/?]*)(/[^?]*)?", "$1/" + pgName);
    }

    @AfterAll
    static void dropPg() throws Exception {
        try (Connection c = DriverManager.getConnection(PG_ADMIN); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + pgName + " with (force)");
        }
    }

    @Test
    void alarmLifecycleOnSqlite(@TempDir Path dir) {
        lifecycle("jdbc:sqlite:" + dir.resolve("store.db"));
    }

    @Test
    void alarmLifecycleOnPostgres() {
        lifecycle(pgUrl);
    }

    @Test
    void aClearAfterARestartResolvesOnlyTheAlarmItsSourceRaised(@TempDir Path dir) {
        try (SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("store.db"))) {
            JdbcAlarmRepository repo = new JdbcAlarmRepository(db);
            EngineAlarms before = bridge(db, repo);
            before.alarm(new PrepaidAlarm("9", PrepaidAlarmKind.LOW_BALANCE, true, T0, "balance 1.000 M3"));

            EngineAlarms after = bridge(db, repo); // a new process: nothing held in memory
            after.accept(new AlarmEvent("9", AlarmKind.LOW_BALANCE, false, T0.plusSeconds(60), "seq 2"));
            assertThat(repo.open()).singleElement().satisfies(a -> assertThat(a.detail()).startsWith("prepaid LOW_BALANCE"));

            after.alarm(new PrepaidAlarm("9", PrepaidAlarmKind.LOW_BALANCE, false, T0.plusSeconds(120), "balance 9.000 M3"));
            assertThat(repo.open()).isEmpty();
            assertThat(repo.bySubject("9")).singleElement().satisfies(a -> {
                assertThat(a.state()).isEqualTo(AlarmState.RESOLVED);
                assertThat(a.resolvedBy()).contains(EngineAlarms.BY);
            });
        }
    }

    private EngineAlarms bridge(SqlDatabase db, JdbcAlarmRepository repo) {
        AlarmService service = new AlarmService(repo, AlarmDeadlines.defaults(), a -> { }, clock);
        return new EngineAlarms(service, repo, new org.meterhub.engine.prepaid.PrepaidListener() {
            @Override
            public void alarm(PrepaidAlarm alarm) {
                throw new AssertionError("work-item listener got an alarm");
            }

            @Override
            public void workItem(WorkItem item) {
                work.add(item);
            }
        });
    }

    private void lifecycle(String url) {
        try (SqlDatabase db = SqlDatabase.open(url); TimeSeriesStore store = StoreFactory.open(url)) {
            JdbcAlarmRepository repo = new JdbcAlarmRepository(db);
            AlarmService service = new AlarmService(repo, AlarmDeadlines.defaults(), a -> { }, clock);
            EngineAlarms bridge = bridge(db, repo);
            ShadowLedger ledger = new ShadowLedger(PrepaidSettings.defaults(), bridge, new JdbcLedgerStateStore(db));
            UplinkProcessor p = new UplinkProcessor(UplinkSettings.defaults().withMaxClockSkew(Duration.ofDays(1)),
                    r -> { }, ledger, bridge, clock, new MqttCounters());

            p.onMessage("meters/42/up", msg(1, 0, "1000.000", "20.000", "\"leak\",\"low_battery\""));
            p.onMessage("meters/42/up", msg(2, 1, "1020.500", "-0.500", "\"leak\",\"low_battery\",\"overdraft\""));
            p.onMessage("meters/42/up", msg(2, 1, "1020.500", "-0.500", "\"leak\",\"low_battery\",\"overdraft\"")); // duplicate
            assertThat(repo.open()).extracting(a -> a.kind().name()).containsExactlyInAnyOrder(
                    "GAS_LEAK_SUSPECTED", "LOW_BATTERY", "METER_FAULT", "DATA_QUALITY");
            assertThat(work).singleElement().satisfies(w -> assertThat(w.kind()).isEqualTo(WorkItem.Kind.REPLACE_METER));

            // low_battery ends (a notice without the fault deadlines); the overdraft stays open, held by two
            // sources on one engine kind (the meter's and the ledger's).
            Alarm battery = repo.openOf("42", org.meterhub.engine.alarm.AlarmKind.LOW_BATTERY).orElseThrow();
            assertThat(battery.due()).isEmpty();
            p.onMessage("meters/42/up", msg(3, 2, "1020.500", "-0.500", "\"leak\",\"overdraft\""));
            assertThat(repo.openOf("42", org.meterhub.engine.alarm.AlarmKind.LOW_BATTERY)).isEmpty();
            Alarm fault = repo.openOf("42", org.meterhub.engine.alarm.AlarmKind.METER_FAULT).orElseThrow();
            assertThat(fault.detail()).containsIgnoringCase("overdraft");
            // fault deadlines apply, from when the engine received the uplink (its clock), not the meter's time
            assertThat(fault.acknowledgeBy()).contains(clock.instant().plus(Duration.ofHours(6)));

            Alarm leak = repo.openOf("42", org.meterhub.engine.alarm.AlarmKind.GAS_LEAK_SUSPECTED).orElseThrow();
            service.acknowledge(leak.id(), "fitter-7");

            // Credit bought and loaded; the meter reports no alarm any more.
            ledger.addPurchase(new Purchase("P1", "42", T0.plus(Duration.ofMinutes(150)), new BigDecimal("30.000"), BalanceUnit.M3));
            p.onMessage("meters/42/up", msg(4, 3, "1020.500", "29.500", ""));

            assertThat(repo.open()).isEmpty();
            List<Alarm> all = repo.bySubject("42");
            assertThat(all).extracting(a -> a.kind().name()).containsExactlyInAnyOrder(
                    "GAS_LEAK_SUSPECTED", "LOW_BATTERY", "METER_FAULT", "DATA_QUALITY"); // one alarm per kind, not one per edge
            assertThat(all).allSatisfy(a -> {
                assertThat(a.state()).isEqualTo(AlarmState.RESOLVED);
                assertThat(a.resolvedBy()).contains(EngineAlarms.BY);
            });
            assertThat(repo.find(leak.id()).orElseThrow().acknowledgedBy()).contains("fitter-7");

            // What /api/v1/alarms and `query` show.
            List<Map<String, Object>> rows = store.alarms("42", 10).orElseThrow();
            assertThat(rows).hasSize(4).allSatisfy(r -> {
                assertThat(r.get("meter_id")).isEqualTo("42");
                assertThat(String.valueOf(r.get("state"))).isEqualToIgnoringCase("RESOLVED");
            });

            // A new raise after resolution is a new alarm.
            bridge.accept(new AlarmEvent("42", AlarmKind.COMMAND_EXPIRED, true, T0.plus(Duration.ofHours(4)), "c-1 credit"));
            assertThat(repo.open()).singleElement().satisfies(a -> {
                assertThat(a.kind()).isEqualTo(org.meterhub.engine.alarm.AlarmKind.METER_FAULT);
                assertThat(a.id()).isNotEqualTo(fault.id());
                assertThat(a.volumeLostL()).isEqualTo(OptionalLong.empty());
            });
        }
    }

    private static byte[] msg(long seq, int hour, String volume, String balance, String alarms) {
        return ("{\"meter\":\"42\",\"seq\":" + seq + ",\"ts\":\"" + T0.plusSeconds(3600L * hour) + "\",\"volume_m3\":\""
                + volume + "\",\"balance_m3\":\"" + balance + "\",\"alarms\":[" + alarms + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String pgAdminUrl() {
        String url = System.getProperty("METERHUB_PG_URL");
        if (url == null || url.isBlank()) url = System.getenv("METERHUB_PG_URL");
        return url == null || url.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/postgres?user=meterhub&password=meterhub" : url.strip();
    }
}
