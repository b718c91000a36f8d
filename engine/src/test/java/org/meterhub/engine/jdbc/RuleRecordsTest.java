package org.meterhub.engine.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.consumption.ConsumptionCalculator;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.consumption.InMemoryReadingHistory;
import org.meterhub.engine.consumption.IntervalLedger;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.consumption.MeterKeys;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimationMethod;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.TrueUp;
import org.meterhub.engine.estimation.WorkItem;
import org.meterhub.engine.leak.JdbcValveDecisionLog;
import org.meterhub.engine.leak.LeakKind;
import org.meterhub.engine.leak.LeakDetector;
import org.meterhub.engine.leak.LeakResponder;
import org.meterhub.engine.leak.ValveCommander;
import org.meterhub.engine.leak.ValveDecision;
import org.meterhub.engine.leak.ValvePolicy;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.JdbcValidationRepository;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.ValidationFlag;

/**
 * The rule records (migration V3) on real SQLite and PostgreSQL: the same scenario on both stores
 * must give the same answers, and those answers must be the right ones. The store is opened
 * first, as in production, so on PostgreSQL the consumption table is already partitioned when
 * the effective-consumption view is used.
 */
class RuleRecordsTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final String METER = "30000000000001";

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

    private static Reading reading(long minutes, long litres) {
        Instant t = T0.plusSeconds(minutes * 60);
        return new Reading(METER, t, t, litres, ReadingSource.CJT188, Set.of(), 0);
    }

    /** Runs the scenario against one store URL; returns what was read back, for the cross-store comparison. */
    private static List<Object> scenario(String url) throws Exception {
        List<Object> transcript = new ArrayList<>();
        try (TimeSeriesStore store = StoreFactory.open(url); SqlDatabase db = SqlDatabase.open(url)) {
            store.registerMeter(new MeterInfo(METER, Medium.GAS, 0, T0.minusSeconds(3600), MeterInfo.CJT188_CAPACITY_L));

            // Alarms: raise (deduplicated), acknowledge, resolve, overdue, history, and the store's alarms query.
            TestClock clock = new TestClock(T0);
            List<Alarm> published = new ArrayList<>();
            JdbcAlarmRepository alarms = new JdbcAlarmRepository(db);
            AlarmService service = new AlarmService(alarms, AlarmDeadlines.defaults(), published::add, clock);
            Alarm leak = service.raise(AlarmKind.NIGHT_FLOW, METER, "night flow 25 L/h", OptionalLong.of(75), T0);
            assertThat(service.raise(AlarmKind.NIGHT_FLOW, METER, "again", OptionalLong.empty(), T0.plusSeconds(60)).id())
                    .isEqualTo(leak.id());
            Alarm district = service.raise(AlarmKind.NETWORK_IMBALANCE, "district:D7", "3 days beyond uncertainty",
                    OptionalLong.of(1_234_000), T0.plusSeconds(120));
            clock.set(T0.plus(Duration.ofHours(1)));
            Alarm fault = service.raise(AlarmKind.METER_FAULT, METER, "stopped registering", OptionalLong.empty(),
                    T0.plusSeconds(180));
            // gas: handled within 6 h of the raise (the clock), not of the measurement
            clock.set(T0.plus(Duration.ofHours(6)).plus(Duration.ofMinutes(15)));
            assertThat(service.overdue()).extracting(o -> o.alarm().id()).containsExactly(leak.id(), district.id());
            service.acknowledge(leak.id(), "crew-3");
            clock.set(T0.plus(Duration.ofHours(8)));
            service.resolve(leak.id(), "crew-3", "loose union tightened");
            assertThat(published).extracting(Alarm::state).containsExactly(AlarmState.RAISED, AlarmState.RAISED,
                    AlarmState.RAISED, AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED);
            Alarm resolved = service.find(leak.id()).orElseThrow();
            assertThat(resolved.state()).isEqualTo(AlarmState.RESOLVED);
            assertThat(resolved.resolution()).contains("loose union tightened");
            assertThat(resolved.acknowledgeBy()).contains(T0.plus(Duration.ofHours(6)));
            assertThat(resolved.met(org.meterhub.engine.alarm.Milestone.ACKNOWLEDGE)).contains(false);
            assertThat(resolved.met(org.meterhub.engine.alarm.Milestone.RESOLVE)).contains(true);
            assertThat(resolved.volumeLostL()).hasValue(75);
            assertThat(service.open()).extracting(Alarm::id).containsExactly(district.id(), fault.id());
            assertThat(alarms.history(leak.id())).extracting(org.meterhub.engine.alarm.AlarmStep::state)
                    .containsExactly(AlarmState.RAISED, AlarmState.ACKNOWLEDGED, AlarmState.RESOLVED);
            assertThat(alarms.openOf(METER, AlarmKind.METER_FAULT)).map(Alarm::id).contains(fault.id());
            List<Map<String, Object>> rows = store.alarms(METER, 10).orElseThrow();
            assertThat(rows).extracting(r -> r.get("kind")).containsExactly("METER_FAULT", "NIGHT_FLOW");
            assertThat(store.alarms(null, 10).orElseThrow()).hasSize(3);
            transcript.add(withoutIds(service.open()));
            transcript.add(withoutIds(List.of(resolved)));

            // Validation flags: saved once, found by meter and by kind.
            JdbcValidationRepository flags = new JdbcValidationRepository(db);
            ValidationFlag spike = new ValidationFlag(METER, T0.plusSeconds(3600), FlagKind.SPIKE,
                    "register advanced 9000 L, more than Qmax allows in the interval (2500 L)", T0.plusSeconds(3601));
            ValidationFlag clockSkew = new ValidationFlag(METER, T0.plusSeconds(3600), FlagKind.CLOCK_SKEW,
                    "meter clock differs from receive time by 900 s", T0.plusSeconds(3601));
            flags.save(List.of(spike, clockSkew));
            flags.save(List.of(spike));
            assertThat(flags.flags(METER, T0, T0.plusSeconds(7200))).containsExactly(spike, clockSkew);
            assertThat(flags.flagsOfKind(FlagKind.SPIKE, T0, T0.plusSeconds(7200))).containsExactly(spike);
            assertThat(flags.flags(METER, T0.plusSeconds(3601), T0.plusSeconds(7200))).isEmpty();
            transcript.add(flags.flags(METER, T0, T0.plusSeconds(7200)));

            // Corrections: base intervals in the store, late readings as new records, the view's effective series.
            InMemoryReadingHistory history = new InMemoryReadingHistory();
            ConsumptionCalculator calc = new ConsumptionCalculator(ConsumptionSettings.defaults(),
                    id -> store.meter(id).flatMap(ConsumptionCalculator::baselineOf), history, new MeterKeys(4), 4);
            IntervalLedger ledger = new IntervalLedger();
            JdbcCorrectionRepository corrections = new JdbcCorrectionRepository(db);
            List<Reading> feed = List.of(reading(0, 1_000), reading(120, 1_900), reading(300, 3_400),
                    reading(60, 1_300), reading(90, 1_600), reading(200, 2_500));
            int corrected = 0;
            for (Reading r : feed) {
                ConsumptionCalculator.Outcome o = calc.arrive(r);
                store.append(List.of(r), o.intervals());
                ledger.append(o.intervals());
                if (o.correction().isPresent()) {
                    corrections.save(o.correction().get());
                    corrections.save(o.correction().get()); // idempotent
                    ledger.correct(o.correction().get());
                    corrected++;
                }
                history.add(r);
            }
            assertThat(corrected).isEqualTo(3);
            List<ConsumptionInterval> effective = corrections.effective(METER, T0.minusSeconds(7200), T0.plusSeconds(86_400));
            assertThat(effective).isEqualTo(ledger.effective(METER));
            assertThat(effective.stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(3_400);
            assertThat(effective.stream().filter(i -> i.start().equals(T0.plusSeconds(3600))).findFirst())
                    .map(ConsumptionInterval::volumeL).contains(300L); // 1300 L at 01:00 → 1600 L at 01:30
            assertThat(corrections.corrections(METER)).isEqualTo(ledger.corrections(METER));
            // The base rows are untouched: the first in-order intervals are still in the consumption table.
            assertThat(store.intervals(METER, T0, T0.plusSeconds(86_400))).extracting(ConsumptionInterval::volumeL)
                    .contains(450L, 450L);
            transcript.add(effective);

            // Estimates, true-ups and work items.
            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            YearMonth cycle = YearMonth.of(2026, 11);
            Estimate e = new Estimate("A-1", METER, cycle, 31_000, 1_000, 32_000, EstimationMethod.SAME_PERIOD_LAST_YEAR,
                    false, "same cycle 2025: 30000 L over 30 days, scaled to 31 days", T0);
            assertThat(records.save(e)).isTrue();
            assertThat(records.save(e)).isFalse();
            assertThat(records.estimate("A-1", cycle)).contains(e);
            assertThat(records.estimates(cycle)).containsExactly(e);
            TrueUp t = new TrueUp("A-1", METER, cycle, 31_000, 30_500, T0.plusSeconds(86_400 * 40), 29_500, -1_500,
                    T0.plusSeconds(86_400 * 40));
            assertThat(records.save(t)).isTrue();
            assertThat(records.save(t)).isFalse();
            assertThat(records.trueUp("A-1", cycle)).contains(t);
            WorkItem mustRead = new WorkItem("C-9", "30000000000009", cycle, WorkItem.Kind.MUST_READ,
                    "commercial accounts are never estimated", T0);
            WorkItem visit = new WorkItem("A-2", "30000000000002", cycle, WorkItem.Kind.SECOND_VISIT,
                    "2 failed reads; 3 are needed before an estimate", T0);
            WorkItem replace = new WorkItem("A-3", "30000000000003", cycle, WorkItem.Kind.REPLACE_METER,
                    "stopped registering", T0);
            assertThat(records.save(mustRead)).isTrue();
            assertThat(records.save(mustRead)).isFalse();
            records.save(visit);
            records.save(replace);
            assertThat(records.workItems(cycle, null)).containsExactly(mustRead, visit, replace);
            assertThat(records.workItems(cycle, WorkItem.Kind.SECOND_VISIT)).containsExactly(visit);
            transcript.add(records.workItems(cycle, null));

            // Valve decisions: the decision before the command, the outcome after it.
            JdbcValveDecisionLog valves = new JdbcValveDecisionLog(db);
            CompletableFuture<ValveCommander.ValveOutcome> answer = new CompletableFuture<>();
            LeakResponder responder = new LeakResponder(service, ValvePolicy.defaults(), (m, why) -> answer, valves, clock);
            Alarm burst = responder.onEvent(METER, MeterClass.householdGas(), new LeakDetector.Event(
                    LeakDetector.Phase.START, LeakKind.BURST, clock.instant().toEpochMilli(),
                    clock.instant().minusSeconds(3 * 3600).toEpochMilli(), 5_000_000, 15_000, 3, "test")).orElseThrow();
            assertThat(valves.forAlarm(burst.id())).singleElement().satisfies(d -> {
                assertThat(d.close()).isTrue();
                assertThat(d.outcome()).isEmpty();
            });
            answer.complete(ValveCommander.ValveOutcome.CLOSED);
            List<ValveDecision> decisions = valves.forAlarm(burst.id());
            assertThat(decisions).hasSize(2);
            assertThat(decisions.get(1).outcome()).contains(ValveCommander.ValveOutcome.CLOSED);
            assertThat(decisions.get(1).outcomeAt()).contains(clock.instant());
            transcript.add(decisions.stream().map(d -> d.close() + " " + d.reason() + " " + d.outcome()).toList());
        }
        return transcript;
    }

    /** Alarm ids depend on the database's sequence; everything else must match. */
    private static List<String> withoutIds(List<Alarm> alarms) {
        return alarms.stream().map(a -> a.kind() + " " + a.subject() + " " + a.detail() + " " + a.volumeLostL() + " "
                + a.raisedAt() + " " + a.acknowledgeBy() + " " + a.resolveBy() + " " + a.state() + " "
                + a.acknowledgedAt() + a.acknowledgedBy() + a.resolvedAt() + a.resolvedBy() + a.resolution()).toList();
    }

    @Test
    void sqliteAndPostgresqlKeepTheSameRecordsAndAnswerTheSame() throws Exception {
        List<Object> sqlite = scenario("jdbc:sqlite:" + dir.resolve("rules.db"));
        List<Object> postgres = scenario(pg.url());
        assertThat(postgres).isEqualTo(sqlite);
    }

    @Test
    void theEffectiveViewSurvivesThePartitioningOfTheConsumptionTable() throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            // The scenario above opened a PostgresStore; either way, ask the catalog directly.
            StoreFactory.open(pg.url()).close();
            try (ResultSet rs = st.executeQuery("select relkind from pg_class where relname = 'consumption'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("p"); // partitioned after the migrations ran
            }
            try (ResultSet rs = st.executeQuery("select count(*) from consumption_effective")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aBadUrlIsAClearError() {
        assertThatThrownBy(() -> SqlDatabase.open("jdbc:mysql://x/y?password=secret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:sqlite:")
                .hasMessageNotContaining("secret");
    }

    @Test
    void alarmTransitionsOfAnUnknownAlarmAreRefused() {
        try (SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("unknown.db"))) {
            AlarmService service = new AlarmService(new JdbcAlarmRepository(db), AlarmDeadlines.defaults(),
                    AlarmSink.none(), Clock.systemUTC());
            assertThatThrownBy(() -> service.acknowledge(42, "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no alarm 42");
            assertThat(service.open()).isEmpty();
            assertThat(Optional.empty()).isEmpty();
        }
    }
}
