package org.meterhub.engine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalCorrection;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.ValveDecision;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.ValidationFlag;

/**
 * The live path: readings through the ingest pipeline with the rules on the store's database,
 * on real SQLite and PostgreSQL. Validation flags, the correction of a late reading, leak
 * detection and alarms all end up as records next to the readings, and the base consumption is
 * what the meters measured.
 */
class IngestRulesPipelineTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z"); // 08:00 in Shanghai
    private static final String LEAKY = "30000000000001";
    private static final String SPIKY = "30000000000002";
    private static final String BIG = "30000000000003";

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

    private static Reading reading(String meter, long minutes, long litres, ReadingFlag... flags) {
        Instant t = T0.plusSeconds(minutes * 60);
        return new Reading(meter, t, t, litres, ReadingSource.CJT188, Set.of(flags), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void flagsCorrectionsLeaksAndAlarmsAreStoredNextToTheReadings(String kind) throws Exception {
        String url = kind.equals("sqlite") ? "jdbc:sqlite:" + dir.resolve("pipeline.db") : pg.url();
        if (kind.equals("postgresql")) pg.reset();
        List<Alarm> published = Collections.synchronizedList(new ArrayList<>());
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            // A meter whose record names a larger Qmax: its 9 m³ hour is no spike.
            store.saveProfile(new MeterProfile(new MeterInfo(BIG, Medium.GAS, 0, T0.minusSeconds(3600),
                    MeterInfo.CJT188_CAPACITY_L), "AMR", null, "1.5", 16_000L, null, null, null, MeterRole.CUSTOMER));
            try (IngestPipeline pipeline = IngestPipeline.withRules(store, IngestRules.forStore(url, published::add))) {
                // A leaking gas meter: 50 L every hour, day and night, for 78 hours: three steady nights (a new meter: at twice 20 L/h).
                for (int h = 0; h <= 78; h++) pipeline.accept(reading(LEAKY, h * 60L, 1_000 + 50L * h));
                // A spike (9 m³ in an hour on a G1.6: Qmax 2.5 m³/h), then a low battery.
                pipeline.accept(reading(SPIKY, 0, 1_000));
                pipeline.accept(reading(SPIKY, 60, 1_100));
                pipeline.accept(reading(SPIKY, 120, 10_100));
                pipeline.accept(reading(SPIKY, 180, 10_200, ReadingFlag.LOW_BATTERY));
                pipeline.accept(reading(BIG, 0, 0));
                pipeline.accept(reading(BIG, 60, 9_000));
                pipeline.flush();
                // A late reading of the leaking meter, between 01:00 and 02:00.
                pipeline.accept(reading(LEAKY, 90, 1_075));
                pipeline.accept(reading(LEAKY, 90, 1_075)); // and its duplicate
                pipeline.flush();

                IngestPipeline.IngestStats stats = pipeline.stats();
                assertThat(stats.stored()).isEqualTo(79 + 4 + 2 + 2);
                assertThat(stats.lateReadings()).isEqualTo(1);
                assertThat(stats.corrections()).isEqualTo(1);
                assertThat(stats.ruleFailures()).isZero();

                IngestRules rules = pipeline.rules();
                assertThat(rules.flags().flags(SPIKY, T0, T0.plusSeconds(86_400))).extracting(ValidationFlag::kind)
                        .containsExactly(FlagKind.SPIKE, FlagKind.METER_FAULT);
                assertThat(rules.flags().flags(SPIKY, T0, T0.plusSeconds(86_400)).get(0).reason())
                        .contains("9000 L").contains("2500 L");
                assertThat(rules.flags().flags(BIG, T0, T0.plusSeconds(86_400))).isEmpty();
                assertThat(rules.flags().flags(LEAKY, T0, T0.plusSeconds(86_400 * 2))).isEmpty();

                List<IntervalCorrection> corrections = rules.corrections().corrections(LEAKY);
                assertThat(corrections).singleElement().satisfies(c -> {
                    assertThat(c.from()).isEqualTo(T0.plusSeconds(3600));
                    assertThat(c.to()).isEqualTo(T0.plusSeconds(7200));
                    assertThat(c.cause()).startsWith("late reading 2026-11-24T01:30:00Z");
                    assertThat(c.totalL()).isEqualTo(50);
                });

                List<Alarm> open = rules.alarms().open();
                assertThat(open).extracting(a -> a.subject() + " " + a.kind()).containsExactlyInAnyOrder(
                        LEAKY + " NIGHT_FLOW", SPIKY + " DATA_QUALITY", SPIKY + " METER_FAULT"); // one hour is no burst
                Alarm night = open.stream().filter(a -> a.kind() == AlarmKind.NIGHT_FLOW).findFirst().orElseThrow();
                assertThat(night.detail()).contains("50 L/h").contains("G1.6").contains("baseline not learnt yet");
                assertThat(night.acknowledgeBy()).contains(night.raisedAt().plus(java.time.Duration.ofHours(6))); // gas: handled in 6 h
                assertThat(published).extracting(Alarm::id).containsExactlyInAnyOrderElementsOf(
                        open.stream().map(Alarm::id).toList());
                assertThat(rules.valveLog().forAlarm(night.id())).singleElement()
                        .extracting(ValveDecision::close, ValveDecision::reason)
                        .containsExactly(false, "meter class G1.6 has no valve");
            }
            // The records are in the store's database: the store's own alarms query and the view see them.
            List<Map<String, Object>> rows = store.alarms(LEAKY, 10).orElseThrow();
            assertThat(rows).extracting(r -> r.get("kind")).containsExactly("NIGHT_FLOW");
            List<ConsumptionInterval> base = store.intervals(LEAKY, T0, T0.plusSeconds(86_400 * 4));
            assertThat(base.stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(50 * 78);
            try (SqlDatabase db = SqlDatabase.open(url)) {
                List<ConsumptionInterval> effective = new JdbcCorrectionRepository(db)
                        .effective(LEAKY, T0, T0.plusSeconds(86_400 * 4));
                assertThat(effective.stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(50 * 78);
                assertThat(effective).hasSize(base.size() + 1); // 01:00-02:00 is now two intervals
                assertThat(effective).filteredOn(i -> i.start().equals(T0.plusSeconds(5400)))
                        .extracting(ConsumptionInterval::volumeL).containsExactly(25L);
            }
        }
    }
}
