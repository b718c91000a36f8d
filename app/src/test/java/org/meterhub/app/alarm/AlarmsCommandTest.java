package org.meterhub.app.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.StoreFactory;

/** The operator's alarm commands on both stores: what the engine raised is taken, closed and traced. */
class AlarmsCommandTest {

    /**
     * Raises, as the engine would, a leak 7 h ago (from a reading measured 8 days ago: the deadlines run
     * from the raise; gas: handled within 6 h, so it is overdue now) and a fault just now.
     */
    private static long[] raise(String url) throws Exception {
        StoreFactory.open(url).close(); // migrations
        try (SqlDatabase db = SqlDatabase.open(url)) {
            Instant sevenHoursAgo = Instant.now().minus(Duration.ofHours(7));
            AlarmService then = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                    Clock.fixed(sevenHoursAgo, java.time.ZoneOffset.UTC));
            Alarm leak = then.raise(AlarmKind.CONTINUOUS_FLOW, "30000000000101", "no flow-free hour in 24 h",
                    OptionalLong.of(1_250), Instant.now().minus(Duration.ofDays(8)));
            AlarmService engine = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                    Clock.systemUTC());
            Alarm fault = engine.raise(AlarmKind.VALVE_FAULT, "30000000000102", "meter reports valve fault",
                    OptionalLong.empty(), Instant.now());
            return new long[] {leak.id(), fault.id()};
        }
    }

    private static void lifecycle(String url) throws Exception {
        long[] ids = raise(url);
        TestCli.Run list = TestCli.meterhub("alarms", "list", "--store", url);
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("CONTINUOUS_FLOW").contains("30000000000101").contains("OVERDUE")
                .contains("VALVE_FAULT").contains("30000000000102").contains("observed").contains("raised").contains("gas/leak");

        TestCli.Run overdue = TestCli.meterhub("alarms", "overdue", "--store", url);
        assertThat(overdue.out()).contains(ids[0] + " ").contains("not acknowledged by").doesNotContain("VALVE_FAULT");
        String inSevenHours = java.time.OffsetDateTime.now().plusHours(7).toString();
        assertThat(TestCli.meterhub("alarms", "overdue", "--at", inSevenHours, "--store", url).out())
                .as("in 7 h the fault has missed its 6 h deadline too").contains("VALVE_FAULT").contains("CONTINUOUS_FLOW");
        assertThat(TestCli.meterhub("alarms", "overdue", "--at", "2000-01-01", "--store", url).out())
                .contains("no overdue alarms");

        TestCli.Run ack = TestCli.meterhub("alarms", "ack", "--id", Long.toString(ids[0]), "--by", "tech-17", "--store", url);
        assertThat(ack.exit()).as(ack.err()).isZero();
        assertThat(ack.out()).contains("acknowledged by tech-17");
        TestCli.Run again = TestCli.meterhub("alarms", "ack", "--id", Long.toString(ids[0]), "--by", "tech-18", "--store", url);
        assertThat(again.exit()).as("an alarm is acknowledged once").isEqualTo(1);
        assertThat(again.err()).contains("is ACKNOWLEDGED");
        assertThat(TestCli.meterhub("alarms", "overdue", "--store", url).out())
                .as("acknowledged in time for nothing, but the 24 h repair deadline is still ahead").contains("no overdue alarms");

        TestCli.Run resolve = TestCli.meterhub("alarms", "resolve", "--id", Long.toString(ids[0]), "--by", "tech-17",
                "--note", "joint resealed", "--store", url);
        assertThat(resolve.exit()).as(resolve.err()).isZero();
        assertThat(TestCli.meterhub("alarms", "list", "--store", url).out())
                .doesNotContain("CONTINUOUS_FLOW").contains("VALVE_FAULT");
        TestCli.Run history = TestCli.meterhub("alarms", "history", "--id", Long.toString(ids[0]), "--store", url);
        assertThat(history.out()).contains("RAISED").contains("ACKNOWLEDGED ").contains("tech-17")
                .contains("RESOLVED").contains("joint resealed");
        assertThat(TestCli.meterhub("alarms", "list", "--all", "--meter", "30000000000101", "--store", url).out())
                .contains("RESOLVED");

        try (SqlDatabase db = SqlDatabase.open(url)) {
            JdbcAlarmRepository repo = new JdbcAlarmRepository(db);
            assertThat(repo.find(ids[0]).orElseThrow().state()).isEqualTo(AlarmState.RESOLVED);
            assertThat(repo.history(ids[0])).extracting(org.meterhub.engine.alarm.AlarmStep::state)
                    .as("each step is a new event; the raise is never rewritten")
                    .containsExactly(AlarmState.RAISED, AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED);
        }

        TestCli.Run missing = TestCli.meterhub("alarms", "ack", "--id", "999999", "--by", "tech-17", "--store", url);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no alarm 999999");
        assertThat(TestCli.meterhub("alarms", "resolve", "--id", Long.toString(ids[1]), "--by", "x", "--note", " ",
                "--store", url).exit()).as("a resolution needs a note").isEqualTo(2);

        // Resolving the fault nobody acknowledged: two steps by the same person, both deadlines met.
        assertThat(TestCli.meterhub("alarms", "resolve", "--id", Long.toString(ids[1]), "--by", "tech-9",
                "--note", "actuator replaced", "--store", url).exit()).isZero();
        TestCli.Run faultHistory = TestCli.meterhub("alarms", "history", "--id", Long.toString(ids[1]), "--store", url);
        assertThat(faultHistory.out()).contains("acknowledged on resolving").contains("actuator replaced")
                .containsPattern("acknowledge +due .* met");

        // The month's report: the leak was handled late (acknowledge missed) but repaired in time.
        java.time.YearMonth month;
        try (SqlDatabase db = SqlDatabase.open(url)) {
            month = java.time.YearMonth.from(new JdbcAlarmRepository(db).find(ids[0]).orElseThrow().resolvedAt().orElseThrow()
                    .atZone(java.time.ZoneId.of("Asia/Shanghai")));
        }
        TestCli.Run report = TestCli.meterhub("alarms", "report", "--month", month.toString(), "--store", url);
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(report.out()).containsPattern("CONTINUOUS_FLOW +gas/leak +acknowledge +0 +1 +0.0 %")
                .containsPattern("CONTINUOUS_FLOW +gas/leak +resolve +1 +1 +100.0 %")
                .containsPattern("VALVE_FAULT +gas/repair +acknowledge +1 +1 +100.0 %")
                .containsPattern("all deadlines +3 +4 +75.0 %");
        assertThat(TestCli.meterhub("alarms", "report", "--month", month.minusMonths(1).toString(), "--store", url).out())
                .contains("no resolved alarms with deadlines");
        assertThat(TestCli.meterhub("alarms", "report", "--month", "11/2026", "--store", url).err())
                .contains("--month: expected YYYY-MM");
    }

    @Test
    void theDeadlinesAreSettingsAndABadOneIsALineNamingTheField(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("mh.db");
        long[] ids = raise(url);
        Path bad = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(bad, "alarms:\n  heat:\n    repair:\n      on-site: soon\n");
        TestCli.Run r = TestCli.meterhub("alarms", "list", "--deadlines", bad.toString(), "--store", url);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n")
                .contains("bad.yaml:4: alarms.heat.repair.on-site: expected a duration such as");
        Path holiday = dir.resolve("cal.yaml");
        java.nio.file.Files.writeString(holiday, "calendar:\n  years:\n    2026:\n      holidays: [2027-01-01]\n");
        TestCli.Run wrongYear = TestCli.meterhub("alarms", "list", "--deadlines", holiday.toString(), "--store", url);
        assertThat(wrongYear.err()).contains("calendar.years:").contains("2027-01-01, a day of another year");

        // gas leaks handled within 12 h instead of 6 h: a deadline is fixed at the raise, so the leak raised
        // 7 h ago with 6 h stays overdue; alarms raised from now on get 12 h
        Path longer = dir.resolve("longer.yaml");
        java.nio.file.Files.writeString(longer, "alarms:\n  gas:\n    leak: {acknowledge: 12h}\n");
        assertThat(TestCli.meterhub("alarms", "overdue", "--deadlines", longer.toString(), "--store", url).out())
                .contains(ids[0] + " ");
        try (SqlDatabase db = SqlDatabase.open(url)) {
            AlarmService engine = new AlarmService(new JdbcAlarmRepository(db),
                    org.meterhub.app.config.DeadlinesFile.load(longer.toString()).alarmDeadlines(), AlarmSink.none(),
                    Clock.systemUTC());
            Alarm next = engine.raise(AlarmKind.BURST, "30000000000103", "burst", OptionalLong.empty(), Instant.now());
            assertThat(Duration.between(next.raisedAt(), next.acknowledgeBy().orElseThrow())).isEqualTo(Duration.ofHours(12));
        }
    }

    @Test
    void operatorsTakeAndCloseAlarmsOnSqlite(@TempDir Path dir) throws Exception {
        lifecycle("jdbc:sqlite:" + dir.resolve("mh.db"));
    }

    @Test
    void operatorsTakeAndCloseAlarmsOnPostgres() throws Exception {
        try (TestDatabases.Database db = TestDatabases.createPostgres()) {
            lifecycle(db.url());
        }
    }

    @Test
    void aMissingStoreIsNamed(@TempDir Path dir) {
        TestCli.Run r = TestCli.meterhub("alarms", "list", "--store", "jdbc:sqlite:" + dir.resolve("none.db"));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("does not exist");
        assertThat(List.of(TestCli.meterhub("alarms", "--help").out().split("\n")).get(0)).startsWith("Usage: meterhub alarms");
    }
}
