package org.meterhub.engine.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimateRetirement;
import org.meterhub.engine.estimation.EstimationMethod;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.TrueUp;
import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.JdbcDistricts;
import org.meterhub.engine.leak.JdbcValveDecisionLog;
import org.meterhub.engine.leak.ValveCommander;
import org.meterhub.engine.leak.ValveDecision;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The queries behind the console's District, Gateways and meter-record parts, on SQLite and PostgreSQL:
 * a gateway's status is replaced by a later report and kept against an earlier one; a meter's valve
 * decisions, estimates, retirements and true-ups by meter; a district's leak alarms (its own and its
 * meters', not its faults nor other districts'); districts with their inlet and customer counts.
 */
class ConsoleRecordQueriesTest {
    static final Instant T = Instant.parse("2026-12-07T02:00:00Z");
    private static PgTestDatabase pg;

    @TempDir
    static Path dir;

    @BeforeAll
    static void createPg() {
        pg = PgTestDatabase.create();
    }

    @AfterAll
    static void dropPg() {
        if (pg != null) pg.close();
    }

    @Test
    void onSqlite() {
        scenario("jdbc:sqlite:" + dir.resolve("records.db"));
    }

    @Test
    void onPostgresql() {
        scenario(pg.url());
    }

    private static void scenario(String url) {
        try (TimeSeriesStore store = StoreFactory.open(url); SqlDatabase db = SqlDatabase.open(url)) {
            JdbcGatewayStatus status = new JdbcGatewayStatus(db);
            status.save(new GatewayStatus("gw-1", T, 3, 4, 50, 60, 1000, 7, 120, "OK"));
            status.save(new GatewayStatus("gw-1", T.plusSeconds(10), 4, 4, 60, 60, 1010, 7, 0, "OK"));
            status.save(new GatewayStatus("gw-1", T.plusSeconds(5), 1, 4, 1, 60, 1005, 9, 999, "FULL")); // late, older
            status.save(new GatewayStatus("gw-0", T, 0, 1, 0, 5, 0, 3, 17, "NEARLY_FULL"));
            assertThat(status.all()).containsExactly(
                    new GatewayStatus("gw-0", T, 0, 1, 0, 5, 0, 3, 17, "NEARLY_FULL"),
                    new GatewayStatus("gw-1", T.plusSeconds(10), 4, 4, 60, 60, 1010, 7, 0, "OK"));
            // buses are replaced with their gateway's row, and kept against an earlier report
            List<org.meterhub.engine.gateways.BusStatus> buses = List.of(
                    new org.meterhub.engine.gateways.BusStatus("dtu-cjt188", "DTU-0001", true, 40, 0, java.time.Duration.ofHours(1),
                            T.minusSeconds(20), null, null),
                    new org.meterhub.engine.gateways.BusStatus("modbus-tcp", "10.0.3.7:502", false, 0, 12, java.time.Duration.ofHours(1),
                            null, T.minusSeconds(3), "timeout"));
            status.save(new GatewayStatus("gw-1", T.plusSeconds(20), 4, 4, 60, 60, 1010, 19, 0, "OK", buses));
            status.save(new GatewayStatus("gw-1", T.plusSeconds(15), 4, 4, 60, 60, 1010, 7, 0, "OK",
                    List.of(buses.get(0)))); // late, older: neither its row nor its buses
            assertThat(status.all().get(1)).isEqualTo(new GatewayStatus("gw-1", T.plusSeconds(20), 4, 4, 60, 60, 1010, 19, 0, "OK", buses));
            status.save(new GatewayStatus("gw-1", T.plusSeconds(30), 4, 4, 60, 60, 1010, 19, 0, "OK", List.of(buses.get(1))));
            assertThat(status.all().get(1).buses()).containsExactly(buses.get(1));
            assertThat(status.all().get(0).buses()).isEmpty();

            for (String[] m : new String[][] {{"M1", "D1", "customer"}, {"M2", "D1", "customer"}, {"IN1", "D1", "inlet"},
                    {"M9", "D2", "customer"}}) {
                store.saveProfile(new MeterProfile(new MeterInfo(m[0], Medium.GAS, 0, T, MeterInfo.CJT188_CAPACITY_L), "AMR",
                        CustomerClass.RESIDENTIAL, "1.5", 6000L, LocalDate.of(2024, 1, 1), m[1], "L",
                        m[2].equals("inlet") ? MeterRole.DISTRICT_INLET : MeterRole.CUSTOMER));
            }
            assertThat(new JdbcDistricts(db).all()).containsExactly(new JdbcDistricts.District("D1", 1, 2),
                    new JdbcDistricts.District("D2", 0, 1));

            AlarmService alarms = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                    Clock.fixed(T, ZoneOffset.UTC));
            Alarm district = alarms.raise(AlarmKind.NETWORK_IMBALANCE, "district:D1", "beyond", OptionalLong.of(900), T);
            Alarm leak = alarms.raise(AlarmKind.CONTINUOUS_FLOW, "M2", "no flow-free hour", OptionalLong.empty(), T.plusSeconds(1));
            alarms.raise(AlarmKind.LOW_BATTERY, "M1", "battery", OptionalLong.empty(), T);          // a fault, not a leak
            alarms.raise(AlarmKind.BURST, "M9", "burst elsewhere", OptionalLong.empty(), T);       // another district
            alarms.raise(AlarmKind.NETWORK_IMBALANCE, "district:D2", "other", OptionalLong.empty(), T);
            assertThat(new JdbcAlarmRepository(db).leaksOfDistrict("D1", 10)).extracting(Alarm::id)
                    .containsExactly(leak.id(), district.id());
            assertThat(new JdbcAlarmRepository(db).leaksOfDistrict("D1", 1)).extracting(Alarm::id).containsExactly(leak.id());

            JdbcValveDecisionLog valves = new JdbcValveDecisionLog(db);
            valves.record(new ValveDecision(leak.id(), "M2", false, "night flow alone never closes", T, Optional.empty(), Optional.empty()));
            valves.record(new ValveDecision(leak.id(), "M2", true, "burst", T.plusSeconds(5), Optional.empty(), Optional.empty()));
            valves.record(new ValveDecision(leak.id(), "M2", true, "burst", T.plusSeconds(5),
                    Optional.of(ValveCommander.ValveOutcome.CLOSED), Optional.of(T.plusSeconds(9))));
            valves.record(new ValveDecision(district.id(), "M1", true, "other meter", T, Optional.empty(), Optional.empty()));
            assertThat(valves.forMeter("M2", 10)).extracting(ValveDecision::reason, ValveDecision::outcome).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("burst", Optional.of(ValveCommander.ValveOutcome.CLOSED)),
                    org.assertj.core.groups.Tuple.tuple("burst", Optional.empty()),
                    org.assertj.core.groups.Tuple.tuple("night flow alone never closes", Optional.empty()));
            assertThat(valves.forMeter("M2", 1)).hasSize(1);

            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            for (int month = 9; month <= 11; month++) {
                records.save(new Estimate("A1", "M1", YearMonth.of(2026, month), 1000L * month, 0, 1000L * month,
                        EstimationMethod.LAST_MONTH_DAILY_AVERAGE, false, "basis " + month, T));
            }
            records.save(new Estimate("A2", "M2", YearMonth.of(2026, 11), 5, 0, 5, EstimationMethod.LAST_MONTH_DAILY_AVERAGE,
                    false, "other meter", T));
            records.save(new EstimateRetirement("A1", YearMonth.of(2026, 11), "M1", T, 11_500, "read later in the window", T));
            records.save(new TrueUp("A1", "M1", YearMonth.of(2026, 9), 9000, 20_000, T, 9500, 500, T));
            assertThat(records.estimatesOfMeter("M1", 10)).extracting(e -> e.cycle().toString())
                    .containsExactly("2026-11", "2026-10", "2026-09");
            assertThat(records.estimatesOfMeter("M1", 2)).hasSize(2);
            assertThat(records.retirementsOfMeter("M1", 10)).extracting(EstimateRetirement::reason)
                    .containsExactly("read later in the window");
            assertThat(records.retirementsOfMeter("M2", 10)).isEmpty();
            assertThat(records.trueUpsOfMeter("M1", 10)).extracting(TrueUp::differenceL).containsExactly(500L);
            assertThat(records.trueUpsOfMeter("M2", 10)).isEmpty();
        }
    }
}
