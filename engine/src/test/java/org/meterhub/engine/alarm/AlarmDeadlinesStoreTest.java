package org.meterhub.engine.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Deadlines from when the utility learns, the medium from the meter record, the met/missed
 * record of closed alarms and the month report (migration V13), on real SQLite and PostgreSQL:
 * the same scenario must give the same, right answers on both.
 */
class AlarmDeadlinesStoreTest {
    /** 2026-11-30 22:00 UTC is 2026-12-01 06:00 in Shanghai: the month is the utility's. */
    private static final Instant T0 = Instant.parse("2026-11-20T02:00:00Z");
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

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

    private static List<Object> scenario(String url) {
        List<Object> transcript = new ArrayList<>();
        try (TimeSeriesStore store = StoreFactory.open(url); SqlDatabase db = SqlDatabase.open(url)) {
            store.registerMeter(new MeterInfo("G1", Medium.GAS, 0, T0.minusSeconds(3600), MeterInfo.CJT188_CAPACITY_L));
            store.registerMeter(new MeterInfo("H1", Medium.HEAT, 0, T0.minusSeconds(3600), MeterInfo.CJT188_CAPACITY_L));
            TestClock clock = new TestClock(T0);
            JdbcAlarmRepository repo = new JdbcAlarmRepository(db);
            AlarmService service = new AlarmService(repo, AlarmDeadlines.defaults(), AlarmSink.none(), clock);

            // A reading measured a week ago arrives now: due from now, not overdue at the raise.
            Instant measured = T0.minus(Duration.ofDays(7));
            Alarm late = service.raise(AlarmKind.CONTINUOUS_FLOW, "G1", "flow for 7 h", OptionalLong.of(35), measured);
            Alarm stored = repo.find(late.id()).orElseThrow();
            assertThat(stored.observedAt()).isEqualTo(measured);
            assertThat(stored.raisedAt()).isEqualTo(T0);
            assertThat(stored.rule()).isEqualTo("gas/leak");
            assertThat(stored.acknowledgeBy()).contains(T0.plus(Duration.ofHours(6)));
            assertThat(service.overdue()).isEmpty();

            // Heat from the meter record: four deadlines; the heat rule is not gas's.
            Alarm heat = service.raise(AlarmKind.VALVE_FAULT, "H1", "valve stuck", OptionalLong.empty(), T0);
            assertThat(repo.find(heat.id()).orElseThrow().due()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    Milestone.ACKNOWLEDGE, T0.plus(Duration.ofMinutes(30)), Milestone.ON_SITE, T0.plus(Duration.ofHours(2)),
                    Milestone.RESOLVE, T0.plus(Duration.ofHours(24)), Milestone.FOLLOW_UP, T0.plus(Duration.ofHours(48))));
            assertThat(repo.find(heat.id()).orElseThrow().rule()).isEqualTo("heat/repair");
            Alarm tamper = service.raise(AlarmKind.TAMPER, "G1", "case opened", OptionalLong.empty(), T0);
            assertThat(repo.find(tamper.id()).orElseThrow().due()).isEmpty();

            // Met: the gas leak handled in 1 h, repaired in 5 h, resolved without a separate acknowledgement.
            clock.set(T0.plus(Duration.ofMinutes(20)));
            service.acknowledge(heat.id(), "desk-1");
            clock.set(T0.plus(Duration.ofHours(5)));
            service.resolve(late.id(), "crew-1", "union resealed");
            assertThat(repo.history(late.id())).extracting(s -> s.state() + "/" + s.milestone().map(Milestone::label).orElse("-")
                    + "/" + s.actor()).containsExactly("RAISED/-/engine", "ACKNOWLEDGED/acknowledge/crew-1",
                    "RESOLVED/resolve/crew-1");
            // Missed: the heat fault's crew came after 3 h (on site due in 2 h), done in 30 h.
            clock.set(T0.plus(Duration.ofHours(3)));
            service.onSite(heat.id(), "crew-2");
            clock.set(T0.plus(Duration.ofHours(30)));
            service.resolve(heat.id(), "crew-2", "valve freed");
            clock.set(T0.plus(Duration.ofHours(40)));
            service.followUp(heat.id(), "desk-1", "customer warm again");
            Alarm closed = repo.find(heat.id()).orElseThrow();
            assertThat(closed.met(Milestone.ACKNOWLEDGE)).contains(true);
            assertThat(closed.met(Milestone.ON_SITE)).contains(false);
            assertThat(closed.met(Milestone.RESOLVE)).contains(false);
            assertThat(closed.met(Milestone.FOLLOW_UP)).contains(true);

            List<DeadlineShare> report = service.report(YearMonth.of(2026, 11), SHANGHAI);
            List<String> lines = report.stream().map(s -> s.kind() + " " + s.rule() + " " + s.milestone().label() + " "
                    + s.met() + "/" + s.applied() + " " + s.percentMet().map(Object::toString).orElse("-")).toList();
            assertThat(lines).containsExactly(
                    "CONTINUOUS_FLOW gas/leak acknowledge 1/1 100.0", "CONTINUOUS_FLOW gas/leak resolve 1/1 100.0",
                    "VALVE_FAULT heat/repair acknowledge 1/1 100.0", "VALVE_FAULT heat/repair on-site 0/1 0.0",
                    "VALVE_FAULT heat/repair resolve 0/1 0.0", "VALVE_FAULT heat/repair follow-up 1/1 100.0");
            assertThat(service.report(YearMonth.of(2026, 10), SHANGHAI)).isEmpty();
            // the store's alarm rows (the API's JSON) show both times
            Map<String, Object> row = store.alarms("G1", 10).orElseThrow().stream()
                    .filter(r -> r.get("kind").equals("CONTINUOUS_FLOW")).findFirst().orElseThrow();
            assertThat(row).containsEntry("observed_at", measured).containsEntry("raised_at", T0)
                    .containsEntry("deadline_rule", "gas/leak").containsEntry("acknowledge_met", 1L);
            transcript.add(lines);
            transcript.add(repo.history(heat.id()).stream().map(s -> s.step() + " " + s.state() + " " + s.milestone()
                    + " " + s.at() + " " + s.actor() + " " + s.note()).toList());
        }
        return transcript;
    }

    @Test
    void sqliteAndPostgresqlKeepTheSameDeadlinesAndAnswerTheSame() {
        List<Object> sqlite = scenario("jdbc:sqlite:" + dir.resolve("deadlines.db"));
        List<Object> postgres = scenario(pg.url());
        assertThat(postgres).isEqualTo(sqlite);
    }
}
