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

    /** Raises, as the engine would, a leak an hour ago (overdue: 30 min to be on site) and a fault just now. */
    private static long[] raise(String url) throws Exception {
        StoreFactory.open(url).close(); // migrations
        try (SqlDatabase db = SqlDatabase.open(url)) {
            AlarmService engine = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(), AlarmSink.none(),
                    Clock.systemUTC());
            Alarm leak = engine.raise(AlarmKind.CONTINUOUS_FLOW, "30000000000101", "no flow-free hour in 24 h",
                    OptionalLong.of(1_250), Instant.now().minus(Duration.ofHours(1)));
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
                .contains("VALVE_FAULT").contains("30000000000102");

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
