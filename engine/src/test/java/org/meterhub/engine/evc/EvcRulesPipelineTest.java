package org.meterhub.engine.evc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.FlagKind;
import org.meterhub.engine.vee.JdbcValidationRepository;
import org.meterhub.engine.vee.ValidationFlag;

/**
 * Converter readings through the ingest pipeline with the rules on the store's database (SQLite and
 * PostgreSQL, migration V7): samples stored, each window judged, a failed one flagged on its reading with the
 * numbers and raised once through the alarm lifecycle; after a restart the check resumes from the store.
 */
class EvcRulesPipelineTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");
    private static final String GOOD = "EVC-GOOD";
    private static final String BAD = "EVC-BAD";
    /** 1 % tolerance, windows of 2 m³. */
    private static final EvcCheck.Settings SETTINGS = new EvcCheck.Settings(new BigDecimal("101.325"),
            new BigDecimal("293.15"), new BigDecimal("1.0"), 2_000);

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

    /** At base conditions, so a right converter has Vb increase = Vm increase. */
    private static Reading reading(String meter, long quarter, long vbL, long vmL) {
        Instant t = T0.plusSeconds(900 * quarter);
        return new Reading(meter, t, t, vbL, ReadingSource.MODBUS, Set.of(), 0, t,
                new ConverterValues(vmL, new BigDecimal("101.325"), new BigDecimal("20.0")));
    }

    private static void register(TimeSeriesStore store, String meter) {
        store.saveProfile(new MeterProfile(new MeterInfo(meter, Medium.GAS, 0, T0.minusSeconds(3600), 4_294_967_295L),
                "EVC", null, "1.0", 100_000L, null, null, null, MeterRole.CUSTOMER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aFailedWindowIsFlaggedOnItsReadingAndRaisedOnceWithTheNumbers(String kind) throws Exception {
        String url = kind.equals("sqlite") ? "jdbc:sqlite:" + dir.resolve("evc.db") : pg.url();
        if (kind.equals("postgresql")) pg.reset();
        List<Alarm> published = Collections.synchronizedList(new ArrayList<>());
        Clock clock = Clock.fixed(T0.plusSeconds(86_400), ZoneOffset.UTC);
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            register(store, GOOD);
            register(store, BAD);
            try (IngestPipeline pipeline = IngestPipeline.withRules(store, IngestRules.forStore(url, published::add, clock,
                    IngestRules.Options.defaults().withEvc(SETTINGS)))) {
                long vm = 100_000;
                long good = 99_000;
                long bad = 98_000;
                for (int q = 0; q <= 6; q++) {
                    pipeline.accept(reading(GOOD, q, good, vm));
                    pipeline.accept(reading(BAD, q, bad, vm));
                    vm += 3_000;
                    good += 3_000;
                    // the bad converter loses 0.5 % more of each step's base volume than the step before
                    bad += 3_000 - 15L * (q + 1);
                }
                pipeline.flush();
                // windows 1..6 of BAD deviate -0.5, -1.0, -1.5, -2.0, -2.5, -3.0 %: beyond 1 % from the third on
                IngestPipeline.IngestStats stats = pipeline.stats();
                assertThat(stats.conversionChecks()).isEqualTo(12);
                assertThat(stats.conversionErrors()).isEqualTo(4);
                IngestRules rules = pipeline.rules();
                assertThat(rules.flags().flags(GOOD, T0, T0.plusSeconds(86_400))).isEmpty();
                List<ValidationFlag> flags = rules.flags().flags(BAD, T0, T0.plusSeconds(86_400));
                assertThat(flags).extracting(ValidationFlag::kind).containsOnly(FlagKind.CONVERSION_ERROR);
                assertThat(flags).extracting(ValidationFlag::readingTime)
                        .containsExactly(T0.plusSeconds(2700), T0.plusSeconds(3600), T0.plusSeconds(4500), T0.plusSeconds(5400));
                assertThat(flags.get(0).reason()).isEqualTo("reported base volume Vb 2.955 m³, computed Vm·(p/pb)·(Tb/T)"
                        + " 3.000 m³ from measured Vm 3.000 m³ at p 101.325 kPa, T 20.0 °C: deviation -1.5000 %,"
                        + " beyond ±1.0 % (pb 101.325 kPa, Tb 20 °C; 2026-11-24T02:30:00Z to 2026-11-24T02:45:00Z)");
                List<Alarm> open = rules.alarms().open();
                assertThat(open).singleElement().satisfies(a -> {
                    assertThat(a.kind()).isEqualTo(AlarmKind.CONVERSION_ERROR);
                    assertThat(a.subject()).isEqualTo(BAD);
                    assertThat(a.observedAt()).isEqualTo(T0.plusSeconds(2700)); // measured then; raised when the engine saw it
                    assertThat(a.detail()).isEqualTo("volume conversion error: " + flags.get(0).reason());
                    assertThat(a.acknowledgeBy()).isPresent(); // a fault: handled within the deadline
                });
                assertThat(published).extracting(Alarm::id).containsExactly(open.get(0).id());
            }
            try (SqlDatabase db = SqlDatabase.open(url)) {
                JdbcEvcRepository samples = new JdbcEvcRepository(db);
                assertThat(samples.samples(BAD, T0, T0.plusSeconds(86_400))).hasSize(7)
                        .last().isEqualTo(new EvcSample(BAD, T0.plusSeconds(5400), 98_000 + 6 * 3_000 - 15 * 21,
                                118_000, new BigDecimal("101.325"), new BigDecimal("20.0")));
                // query flags: the finding with its reason, on the reading's register
                Report report = new Reports(store, ZoneId.of("Asia/Shanghai"), new JdbcValidationRepository(db))
                        .flags(BAD, T0, T0.plusSeconds(86_400));
                List<Map<String, Object>> rows = report.rows();
                assertThat(rows).hasSize(4);
                assertThat(rows.get(0)).containsEntry("kind", "validation").containsEntry("flags", List.of("conversion_error"))
                        .containsEntry("start", "2026-11-24T10:45:00+08:00").containsEntry("value_l", 98_000L + 9_000 - 90)
                        .containsEntry("reason", flags0(db));
                Report readings = new Reports(store, ZoneId.of("Asia/Shanghai"), new JdbcValidationRepository(db))
                        .readings(BAD, T0, T0.plusSeconds(86_400));
                assertThat(readings.rows()).extracting(r -> r.get("validation")).containsExactly(List.of(), List.of(), List.of(),
                        List.of("conversion_error"), List.of("conversion_error"), List.of("conversion_error"),
                        List.of("conversion_error"));
            }
            // A restart: the next poll of BAD is judged against its last stored sample, and the open alarm stays the one.
            try (IngestPipeline pipeline = IngestPipeline.withRules(store, IngestRules.forStore(url, published::add, clock,
                    IngestRules.Options.defaults().withEvc(SETTINGS)))) {
                pipeline.accept(reading(BAD, 7, 98_000 + 6 * 3_000 - 15 * 21 + 2_900, 121_000));
                pipeline.flush();
                assertThat(pipeline.stats().conversionChecks()).isEqualTo(1);
                assertThat(pipeline.stats().conversionErrors()).isEqualTo(1);
                assertThat(pipeline.rules().alarms().open()).hasSize(1);
                assertThat(published).hasSize(1);
                assertThat(pipeline.rules().flags().flags(BAD, T0.plusSeconds(6300), T0.plusSeconds(6301)))
                        .singleElement().extracting(ValidationFlag::reason).asString()
                        .contains("Vb 2.900 m³").contains("measured Vm 3.000 m³").contains("-3.3333 %")
                        .contains("2026-11-24T03:30:00Z to 2026-11-24T03:45:00Z");
            }
        }
    }

    private static String flags0(SqlDatabase db) {
        return new JdbcValidationRepository(db).flags(BAD, T0, T0.plusSeconds(86_400)).get(0).reason();
    }
}
