package org.meterhub.engine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmState;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * NB-IoT water meters upload a day of hourly readings once a day, and a day sometimes arrives after the next one
 * (in a later batch). The leak detectors look forward only, so the late day's hours are judged again from the
 * store's effective consumption: a continuous 2 L/h leak through the late day's night is found with that day's
 * hours as evidence, as it is when the days arrive in order; a late day without a leak raises nothing; the late
 * day sent once more raises nothing twice. On real SQLite and PostgreSQL.
 */
class LateDayLeakTest {
    /** Local midnight in the engine's default zone (Asia/Shanghai): day k runs from T0 + k days. */
    private static final Instant T0 = Instant.parse("2026-10-31T16:00:00Z");
    private static final int LEAK_DAY = 15;
    private static final String LATE_LEAK = "40000000000001";
    private static final String IN_ORDER_LEAK = "40000000000002";
    private static final String LATE_QUIET = "40000000000003";

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

    /** The day's upload (registers at 01:00 .. 24:00 of local day k); 2 L more every hour of the leak day on a leaking meter. */
    private static List<Reading> day(String meter, int k, boolean leak) {
        return DailyUploads.day(meter, k, T0, (d, h) -> DailyUploads.use(d, h) + (leak && d == LEAK_DAY ? 2 : 0), h -> Set.of());
    }

    private static void upload(IngestPipeline p, List<Reading> rs) throws InterruptedException {
        rs.forEach(p::accept);
        p.flush(); // one batch: the day arrives in its own message
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aLateDayIsJudgedInTimeOrder(String kind) throws Exception {
        String url = kind.equals("sqlite") ? "jdbc:sqlite:" + dir.resolve("late-" + System.nanoTime() + ".db") : pg.url();
        if (kind.equals("postgresql")) pg.reset();
        List<Alarm> published = Collections.synchronizedList(new ArrayList<>());
        Clock clock = Clock.fixed(T0.plusSeconds(86_400L * 20), ZoneOffset.UTC);
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            for (String m : List.of(LATE_LEAK, IN_ORDER_LEAK, LATE_QUIET)) {
                store.saveProfile(new MeterProfile(new MeterInfo(m, Medium.WATER, 100_000, T0, 100_000_000L), "NB-IoT",
                        null, null, null, null, null, null, MeterRole.CUSTOMER));
            }
            try (IngestPipeline p = IngestPipeline.withRules(store, IngestRules.forStore(url, published::add, clock))) {
                IngestRules rules = p.rules();
                for (int k = 0; k < LEAK_DAY; k++) {
                    upload(p, day(LATE_LEAK, k, true));
                    upload(p, day(IN_ORDER_LEAK, k, true));
                    upload(p, day(LATE_QUIET, k, false));
                }
                // The in-order meter: the leak day, then the next. The late ones: the next day first.
                upload(p, day(IN_ORDER_LEAK, LEAK_DAY, true));
                upload(p, day(IN_ORDER_LEAK, LEAK_DAY + 1, true));
                upload(p, day(LATE_LEAK, LEAK_DAY + 1, true));
                upload(p, day(LATE_QUIET, LEAK_DAY + 1, false));
                assertThat(rules.alarms().ofSubject(LATE_LEAK)).as("the forward pass cannot see the missing day").isEmpty();
                Alarm inOrder = rules.alarms().ofSubject(IN_ORDER_LEAK).stream().filter(a -> a.kind() == AlarmKind.CONTINUOUS_FLOW)
                        .findFirst().orElseThrow(() -> new AssertionError("the leak is found in order (the test can fail)"));
                long rejudgedBefore = p.stats().leakRejudgements();

                List<Reading> lateDay = new ArrayList<>(day(LATE_LEAK, LEAK_DAY, true));
                Reading straggler = lateDay.remove(13); // 14:00 comes later still, on its own
                upload(p, lateDay); // a day late
                upload(p, day(LATE_QUIET, LEAK_DAY, false));

                assertThat(p.stats().lateReadings()).isEqualTo(47);
                assertThat(p.stats().leakRejudgements() - rejudgedBefore).as("both late days judged again").isEqualTo(2);
                List<Alarm> late = rules.alarms().ofSubject(LATE_LEAK);
                assertThat(late).singleElement().satisfies(a -> {
                    assertThat(a.kind()).isEqualTo(AlarmKind.CONTINUOUS_FLOW);
                    // The end is projected onto the row; the raise published what it was raised with.
                    assertThat(a.detail()).contains("24 h: 48 L lost in total");
                    assertThat(a.observedAt()).isEqualTo(T0.plusSeconds(86_400L * (LEAK_DAY + 1)));
                    assertThat(a.observedAt()).isEqualTo(inOrder.observedAt());
                    assertThat(a.raisedAt()).as("raised when the engine learnt of it").isEqualTo(clock.instant());
                    // The next day (already seen) has no leak: the engine ended it, with the volume lost.
                    assertThat(a.state()).isEqualTo(AlarmState.RESOLVED);
                    assertThat(a.resolution()).hasValueSatisfying(r -> assertThat(r).contains("48 L lost in total"));
                });
                // Evidence from the late day: the run began at its local midnight and was decided at the next.
                assertThat(published).filteredOn(a -> a.subject().equals(LATE_LEAK)).first().satisfies(a -> {
                    assertThat(a.state()).isEqualTo(AlarmState.RAISED);
                    assertThat(a.detail()).contains("about 2 L/h since " + T0.plusSeconds(86_400L * LEAK_DAY))
                            .contains("no 1 quiet hour in a row for 24 h");
                });
                assertThat(published).filteredOn(a -> a.subject().equals(IN_ORDER_LEAK)).first()
                        .satisfies(a -> assertThat(a.detail()).contains("about 2 L/h since " + T0.plusSeconds(86_400L * LEAK_DAY)));
                assertThat(rules.alarms().ofSubject(LATE_QUIET)).as("a late day without a leak").isEmpty();
                int steps = rules.alarms().history(late.get(0).id()).size();
                int publishedBefore = published.size();

                // An hour of the late day later still: judged again, the same leak, no second alarm.
                upload(p, List.of(straggler));
                assertThat(p.stats().leakRejudgements() - rejudgedBefore).isEqualTo(3);
                // The late day once more (a redelivery, or a meter that sends it again): nothing twice.
                upload(p, day(LATE_LEAK, LEAK_DAY, true));
                assertThat(rules.alarms().ofSubject(LATE_LEAK)).hasSize(1);
                assertThat(rules.alarms().history(late.get(0).id())).hasSize(steps);
                assertThat(published).hasSize(publishedBefore);

                // The day after goes on as usual: judged forward, no alarm comes back.
                upload(p, day(LATE_LEAK, LEAK_DAY + 2, true));
                assertThat(rules.alarms().ofSubject(LATE_LEAK)).hasSize(1);
                assertThat(p.stats().ruleFailures()).isZero();
            }
        }
    }
}
