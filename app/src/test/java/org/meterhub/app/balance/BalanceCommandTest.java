package org.meterhub.app.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.meterhub.app.Main;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * District D7: inlet I1 (class 1.0) feeds M1 and M2 (class 1.5), 100 m³/day each. 1 Nov balanced,
 * 2 Nov 2 m³ over (inside the ≈3.1 m³ uncertainty), 3..6 Nov 30 m³/day lost, 7 Nov M2 silent.
 * Three days in a row beyond the uncertainty (3..5 Nov) are one alarm stating 90 m³ lost.
 */
class BalanceCommandTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void setUp() {
        url = "jdbc:sqlite:" + dir.resolve("store.db");
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            profile(store, "I1", "1.0", MeterRole.DISTRICT_INLET);
            profile(store, "M1", "1.5", MeterRole.CUSTOMER);
            profile(store, "M2", null, MeterRole.CUSTOMER); // unrecorded: taken as class 1.5
            profile(store, "X9", "1.5", MeterRole.CUSTOMER, "D8");
            long[] inlet = {200_000, 202_000, 230_000, 230_000, 230_000, 230_000, 230_000};
            List<ConsumptionInterval> intervals = new ArrayList<>();
            for (int i = 0; i < inlet.length; i++) {
                LocalDate d = LocalDate.of(2026, 11, 1 + i);
                day(intervals, "I1", d, inlet[i]);
                day(intervals, "M1", d, 100_000);
                if (i < 6) day(intervals, "M2", d, 100_000);
                day(intervals, "X9", d, 1);
            }
            store.append(List.of(), intervals);
        }
    }

    @Test
    void threeDaysBeyondTheUncertaintyRaiseOneAlarmWithTheVolumeLost() {
        String out = run("--district", "D7", "--from", "2026-11-01", "--to", "2026-11-08");

        assertThat(out).contains("district D7: 1 inlet(s), 2 customer meter(s)");
        assertThat(line(out, "2026-11-01")).contains("0.000").endsWith("ok");
        assertThat(line(out, "2026-11-02")).contains("2.000").endsWith("ok");
        for (int d = 3; d <= 6; d++) assertThat(line(out, "2026-11-0" + d)).contains("30.000").endsWith("BEYOND");
        assertThat(line(out, "2026-11-07")).contains("not judged: no data from M2");
        assertThat(out).contains("findings 1");
        assertThat(line(out, "ALARM")).contains("NETWORK_IMBALANCE", "district:D7", "90000 L over 3 days (2026-11-03..2026-11-05)");

        List<Alarm> alarms = alarms();
        assertThat(alarms).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(AlarmKind.NETWORK_IMBALANCE);
            assertThat(a.volumeLostL()).hasValue(90_000);
            // observed at the end of the third day beyond; raised (and due from) when the balance ran
            assertThat(a.observedAt()).isEqualTo(LocalDate.of(2026, 11, 6).atStartOfDay(ZONE).toInstant());
            assertThat(a.raisedAt()).isAfter(a.observedAt());
            assertThat(a.open()).isTrue();
        });

        run("--district", "D7", "--from", "2026-11-01", "--to", "2026-11-08");
        assertThat(alarms()).hasSize(1); // the open alarm is not raised twice
        org.meterhub.app.security.AuditRows.expect(url, "balance", "district:D7", "from=2026-11-01 to=2026-11-08");
    }

    @Test
    void linearUncertaintyAndLongerStreaksAreSettings() {
        String out = run("--district", "D7", "--from", "2026-11-01", "--to", "2026-11-08", "--days", "5", "--linear");
        assertThat(out).contains("findings 0").doesNotContain("ALARM");
        assertThat(alarms()).isEmpty();
    }

    @Test
    void districtWithoutInletOrBadDatesIsAUserError() {
        assertThat(Main.run("balance", "--store", url, "--district", "D8", "--from", "2026-11-01", "--to", "2026-11-08"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("balance", "--store", url, "--district", "D7", "--from", "2026-11-08", "--to", "2026-11-01"))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(Main.run("balance", "--store", url, "--district", "D7", "--from", "1.11.2026", "--to", "2026-11-08"))
                .isEqualTo(Main.EXIT_USAGE);
    }

    private List<Alarm> alarms() {
        try (SqlDatabase db = SqlDatabase.open(url)) {
            return new JdbcAlarmRepository(db).bySubject("district:D7");
        }
    }

    private String run(String... args) {
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--store", url));
        all.addAll(List.of(args));
        int code = new CommandLine(new BalanceCommand()).setOut(new PrintWriter(out)).execute(all.toArray(String[]::new));
        assertThat(code).as(out.toString()).isZero();
        return out.toString();
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + out));
    }

    private static void profile(TimeSeriesStore store, String id, String accuracy, MeterRole role) {
        profile(store, id, accuracy, role, "D7");
    }

    private static void profile(TimeSeriesStore store, String id, String accuracy, MeterRole role, String district) {
        store.saveProfile(new MeterProfile(new MeterInfo(id, Medium.GAS, 0, Instant.parse("2026-01-01T00:00:00Z"),
                MeterInfo.CJT188_CAPACITY_L), "AMR", CustomerClass.RESIDENTIAL, accuracy, null, null, district, null, role));
    }

    /** The day's volume in one interval at noon. */
    private static void day(List<ConsumptionInterval> out, String meter, LocalDate d, long litres) {
        Instant s = d.atTime(12, 0).atZone(ZONE).toInstant();
        out.add(new ConsumptionInterval(meter, s, s.plusSeconds(3600), litres, Set.of()));
    }
}
