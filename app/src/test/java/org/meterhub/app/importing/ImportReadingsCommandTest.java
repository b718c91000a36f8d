package org.meterhub.app.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli;
import org.meterhub.app.TestDatabases;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.importing.ImportConflict;
import org.meterhub.engine.importing.JdbcImportConflicts;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/** {@code meterhub import readings}: every documented row outcome, and imported data behaving like live data. */
class ImportReadingsCommandTest {
    static final ZoneId ATHENS = ZoneId.of("Europe/Athens");
    static final Instant ALL_FROM = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant ALL_TO = Instant.parse("2100-01-01T00:00:00Z");

    @TempDir
    Path dir;
    String url;


    @BeforeEach
    void store() {
        url = "jdbc:sqlite:" + dir.resolve("meterhub.db");
    }

    @Test
    void eachKindOfRowGivesItsDocumentedOutcome() throws IOException {
        Path csv = write("readings.csv", """
                meter,time,register,unit
                W1,2026-10-24T22:00,100.000,m3
                W1,2026-10-24T23:00+03:00,100001,L
                W1,2026-10-24T23:00+03:00,100001,L
                W1,2026-10-25T00:00,100.002,m3
                W1,2026-10-25 00:00,100.009,m3
                W1,yesterday,100.003,m3
                W1,2026-10-25T01:00,abc,m3
                W1,2026-10-25T03:30,100.004,m3
                W1,2026-10-25T05:00,100.005,gal
                W2,2026-03-29T03:30,5.000,m3
                W1,2026-10-25T05:00,100.0055,m3
                W1,2026-10-25T05:00,100006,L
                """);
        TestCli.Run r = run("import", "readings", csv.toString(), "--store", url, "--zone", "Europe/Athens", "--medium", "water");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("12 rows").contains("stored 5, duplicates 1, conflicts 1, rejected 5")
                .contains("1 new meters; 1 ambiguous local times");
        assertThat(r.out()).contains("line 7: time \"yesterday\": expected ISO")
                .contains("line 8: register \"abc\" is not a number")
                .contains("line 10: unit \"gal\": expected m3 or L")
                .contains("line 11: local time 2026-03-29T03:30 does not exist in Europe/Athens (daylight saving: clocks go from 03:00 to 04:00)")
                .contains("line 12: register 100.0055 m3 is finer than a litre")
                .contains("100.009 m³ (100009 L)").contains("100.002 m³ (100002 L)");
        // All rejects in the CSV next to the input, with line, reason and the row as it was.
        List<String> rejects = Files.readAllLines(dir.resolve("readings.rejects.csv"));
        assertThat(rejects).hasSize(6).first().isEqualTo("line,reason,row");
        assertThat(rejects.get(4)).startsWith("11,\"local time 2026-03-29T03:30 does not exist").endsWith(",\"W2,2026-03-29T03:30,5.000,m3\"");
        assertThat(r.err()).contains("imported 12 rows"); // no terminal: plain progress lines
        // Received at their own time: a file read long after is no clock skew.
        assertThat(r.out()).contains("engine: 9 consumption intervals, 0 corrections, 0 validation flags");

        try (TimeSeriesStore db = StoreFactory.open(url)) {
            assertThat(db.meter("W1").orElseThrow().medium()).isEqualTo(Medium.WATER);
            assertThat(db.meter("W2")).isEmpty(); // its only row was rejected
            List<Reading> w1 = db.readings("W1", ALL_FROM, ALL_TO);
            assertThat(w1).extracting(x -> x.time().toString() + "=" + x.volumeL()).containsExactly(
                    "2026-10-24T19:00:00Z=100000", "2026-10-24T20:00:00Z=100001", "2026-10-24T21:00:00Z=100002",
                    "2026-10-25T00:30:00Z=100004", // 03:30 occurs twice: the first (+03:00)
                    "2026-10-25T03:00:00Z=100006"); // 05:00 is winter time (+02:00)
            // Consumption as for live data: the register difference, to the litre.
            assertThat(db.intervals("W1", ALL_FROM, ALL_TO).stream().mapToLong(ConsumptionInterval::volumeL).sum()).isEqualTo(6);
        }
        try (SqlDatabase sql = SqlDatabase.open(url)) {
            List<ImportConflict> conflicts = new JdbcImportConflicts(sql).of("W1");
            assertThat(conflicts).singleElement().satisfies(c -> {
                assertThat(c.readingTime()).isEqualTo(Instant.parse("2026-10-24T21:00:00Z"));
                assertThat(c.storedL()).isEqualTo(100_002);
                assertThat(c.conflictingL()).isEqualTo(100_009);
                assertThat(c.line()).isEqualTo(6);
            });
        }

        // The same file again: everything is a duplicate or the same conflict; nothing new is stored.
        TestCli.Run again = run("import", "readings", csv.toString(), "--store", url, "--zone", "Europe/Athens", "--medium", "water");
        assertThat(again.out()).contains("stored 0, duplicates 6, conflicts 1, rejected 5");
    }

    @Test
    void aRowTheStoreRefusesForGoodIsRejectedWithItsReasonAndTheRestFlows() throws IOException {
        // 9999-12-31T12:00Z parses, but the store refuses times from 9999-12-31 on (a permanent failure, issue 21).
        Path csv = write("refused.csv", """
                meter,time,register,unit
                W1,2026-01-01T00:00:00Z,100,L
                W2,9999-12-31T12:00:00Z,7,L
                W1,2026-01-01T01:00:00Z,110,L
                W1,2026-01-01T02:00:00Z,125,L
                """);
        TestCli.Run r = run("import", "readings", csv.toString(), "--store", url, "--medium", "water");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("stored 3, duplicates 0, conflicts 0, rejected 1");
        assertThat(r.out()).containsPattern("line 3: the store refused it: .*outside the storable range");
        assertThat(r.out()).doesNotContain("line 2:").doesNotContain("line 4:").doesNotContain("line 5:");
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            assertThat(db.readings("W1", ALL_FROM, ALL_TO)).extracting(Reading::volumeL).containsExactly(100L, 110L, 125L);
            assertThat(db.intervals("W1", ALL_FROM, ALL_TO)).extracting(ConsumptionInterval::volumeL).containsExactly(10L, 15L);
            assertThat(db.lastReading("W2")).isEmpty();
        }
    }

    @Test
    void onPostgresqlTheConflictIsKeptAndARerunStoresNothing() throws Exception {
        Path csv = write("pg.csv", """
                meter,time,register,unit
                P1,2026-11-01T00:00:00+02:00,1.000,m3
                P1,2026-11-01T01:00:00+02:00,1.004,m3
                P1,2026-11-01T01:00:00+02:00,1.007,m3
                """);
        try (TestDatabases.Database pg = TestDatabases.createPostgres()) {
            TestCli.Run r = run("import", "readings", csv.toString(), "--store", pg.url(), "--medium", "water");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("stored 2, duplicates 0, conflicts 1, rejected 0");
            assertThat(run("import", "readings", csv.toString(), "--store", pg.url(), "--medium", "water").out())
                    .contains("stored 0, duplicates 2, conflicts 1, rejected 0");
            try (SqlDatabase sql = SqlDatabase.open(pg.url())) {
                assertThat(new JdbcImportConflicts(sql).of("P1")).singleElement()
                        .satisfies(c -> assertThat(c.storedL() + "/" + c.conflictingL()).isEqualTo("1004/1007"));
            }
            try (TimeSeriesStore db = StoreFactory.open(pg.url())) {
                assertThat(db.intervals("P1", ALL_FROM, ALL_TO)).singleElement()
                        .satisfies(i -> assertThat(i.volumeL()).isEqualTo(4));
            }
        }
    }

    @Test
    void aRowOutOfOrderIsPlacedByTheLateReadingCorrectionAndItsRepeatIsADuplicate() throws IOException {
        Path csv = write("late.csv", """
                meter,time,register,unit
                W5,2026-11-01T00:00:00Z,10,L
                W5,2026-11-01T02:00:00Z,30,L
                W5,2026-11-01T01:00:00Z,15,L
                W5,2026-11-01T01:00:00Z,15,L
                W5,2026-11-01T01:00:00Z,16,L
                """);
        TestCli.Run r = run("import", "readings", csv.toString(), "--store", url, "--medium", "water");
        assertThat(r.out()).contains("stored 3, duplicates 1, conflicts 1, rejected 0 (of the stored: 1 late")
                .contains("1 corrections");
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            assertThat(db.readings("W5", ALL_FROM, ALL_TO)).extracting(Reading::volumeL).containsExactly(10L, 15L, 30L);
        }
    }

    @Test
    void anHourlySeriesInLocalTimeRunsThroughTheRepeatedAutumnHour() throws IOException {
        Path csv = write("autumn.csv", """
                meter,time,register,unit
                W3,2026-10-25T02:00,10,L
                W3,2026-10-25T03:00,11,L
                W3,2026-10-25T03:00,12,L
                W3,2026-10-25T04:00,13,L
                """);
        TestCli.Run r = run("import", "readings", csv.toString(), "--store", url, "--zone", "Europe/Athens", "--meter-class", "DN15");
        assertThat(r.out()).contains("stored 4, duplicates 0, conflicts 0, rejected 0").contains("2 ambiguous local times");
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            assertThat(db.readings("W3", ALL_FROM, ALL_TO)).extracting(x -> x.time().toString()).containsExactly(
                    "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z");
        }
    }

    @Test
    void aMissingColumnIsAUsageErrorNamingItAndColumnsMapsOtherNames() throws IOException {
        Path csv = write("other.csv", """
                meter_no,read_at,value,uom
                W4,2026-11-01T00:00:00Z,1.5,m3
                W4,2026-11-01T01:00:00Z,1.502,m3
                """);
        TestCli.Run missing = run("import", "readings", csv.toString(), "--store", url, "--medium", "water");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip()).startsWith("meterhub: other.csv:1: missing column \"meter\" (the meter)");
        TestCli.Run mapped = run("import", "readings", csv.toString(), "--store", url, "--medium", "water",
                "--columns", "meter=meter_no,time=read_at,register=value,unit=uom");
        assertThat(mapped.out()).contains("stored 2, duplicates 0, conflicts 0, rejected 0");
        TestCli.Run noUnit = run("import", "readings", csv.toString(), "--store", url, "--medium", "water",
                "--columns", "meter=meter_no,time=read_at,register=value");
        assertThat(noUnit.err()).contains("missing column \"unit\" (the unit; or give --unit m3|L)");
    }

    @Test
    void noMediumIsAssumed() throws IOException {
        Path csv = write("r.csv", """
                meter,time,register,unit
                G1,2026-11-01T00:00:00Z,1,m3
                X9,2026-11-01T00:00:00Z,1,m3
                """);
        TestCli.Run none = run("import", "readings", csv.toString(), "--store", url);
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--medium: give --medium or --meter-class (or --meters FILE)");
        TestCli.Run wrong = run("import", "readings", csv.toString(), "--store", url, "--medium", "water", "--meter-class", "G4");
        assertThat(wrong.err().strip()).isEqualTo("meterhub: --meter-class: meter class G4 is a gas meter, not water");
        Path meters = write("meters.csv", "meter,medium,class\nG1,,G4\n");
        TestCli.Run listed = run("import", "readings", csv.toString(), "--store", url, "--meters", meters.toString());
        assertThat(listed.out()).contains("stored 1, duplicates 0, conflicts 0, rejected 1")
                .contains("line 3: meter X9 has no medium or class");
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            assertThat(db.profile("G1").orElseThrow().info().medium()).isEqualTo(Medium.GAS);
            assertThat(db.profile("G1").orElseThrow().qmaxLph()).isEqualTo(6_000L);
        }
    }

    @Test
    void aHouseholdLeakingTwoLitresAnHourImportedFromCsvRaisesTheLeakAlarm() throws IOException {
        // Two water households, hourly registers in litres for 40 days: 30 L at 07:00 and 20:00, 6 L at 13:00,
        // nothing at night. L1 starts leaking 2 L/h on day 30 at 10:00 local; L2 never leaks.
        StringBuilder sb = new StringBuilder("meter,time,register,unit\n");
        long l1 = 5_000, l2 = 7_000;
        Instant t0 = LocalDate.of(2026, 9, 1).atStartOfDay(ATHENS).toInstant();
        Instant leakFrom = t0.plusSeconds((30 * 24 + 10) * 3600L);
        for (int h = 0; h <= 40 * 24; h++) {
            Instant t = t0.plusSeconds(h * 3600L);
            sb.append("L1,").append(t).append(',').append(l1).append(",L\n");
            sb.append("L2,").append(t).append(',').append(l2).append(",L\n");
            int local = t.atZone(ATHENS).getHour();
            int use = local == 7 || local == 20 ? 30 : local == 13 ? 6 : 0;
            l1 += use + (t.isBefore(leakFrom) ? 0 : 2);
            l2 += use;
        }
        Path csv = write("households.csv", sb.toString());
        Path meters = write("meters.csv", "meter,medium,class\nL1,water,DN15\nL2,water,DN15\n");
        TestCli.Run r = run("import", "readings", csv.toString(), "--store", url, "--zone", "Europe/Athens", "--meters", meters.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("stored " + 2 * (40 * 24 + 1) + ", duplicates 0, conflicts 0, rejected 0")
                .contains("0 validation flags");
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            long consumed = db.intervals("L1", ALL_FROM, ALL_TO).stream().mapToLong(ConsumptionInterval::volumeL).sum();
            assertThat(consumed).isEqualTo(l1 - 5_000 - 2); // the last hour's use is after the last reading
            List<Map<String, Object>> alarms = db.alarms("L1", 10).orElseThrow();
            assertThat(alarms).isNotEmpty();
            assertThat(alarms).anySatisfy(a -> {
                assertThat(String.valueOf(a.get("kind"))).isIn("CONTINUOUS_FLOW", "NIGHT_FLOW");
                Instant raised = Instant.parse(String.valueOf(a.get("observed_at"))); // the readings' time, not the import's
                assertThat(raised).isBetween(leakFrom, leakFrom.plusSeconds(36 * 3600L));
            });
            assertThat(db.alarms("L2", 10).orElseThrow()).isEmpty();
        }
    }

    @Test
    void leakSettingsOfEveryMeterClassInTheYamlReachTheDetectors() throws IOException {
        // Three water households leaking 2 L/h from day 30, of classes DN20, DN25 and G-less DN15. The YAML turns every
        // flow detector off for DN20 and DN15 (classes with a Qmax of their own and the medium's default class alike);
        // DN25 keeps the water defaults. Only the DN25 household is alarmed.
        StringBuilder sb = new StringBuilder("meter,time,register,unit\n");
        List<String> ids = List.of("A20", "B25", "C15");
        long[] reg = {5_000, 6_000, 7_000};
        Instant t0 = LocalDate.of(2026, 9, 1).atStartOfDay(ATHENS).toInstant();
        Instant leakFrom = t0.plusSeconds((30 * 24 + 10) * 3600L);
        for (int h = 0; h <= 40 * 24; h++) {
            Instant t = t0.plusSeconds(h * 3600L);
            int local = t.atZone(ATHENS).getHour();
            int use = local == 7 || local == 20 ? 30 : local == 13 ? 6 : 0;
            for (int i = 0; i < ids.size(); i++) {
                sb.append(ids.get(i)).append(',').append(t).append(',').append(reg[i]).append(",L\n");
                reg[i] += use + (t.isBefore(leakFrom) ? 0 : 2);
            }
        }
        Path csv = write("classes.csv", sb.toString());
        Path meters = write("meters.csv", "meter,medium,class\nA20,water,DN20\nB25,water,DN25\nC15,water,DN15\n");
        String off = "{medium: water, continuous-hours: 0, night-min-flow-mlph: 0, rise-mlph: 0}";
        Path config = write("gateway.yaml", "zone: Europe/Athens\nleak:\n  classes:\n    DN20: " + off + "\n    dn15: " + off + "\n");
        TestCli.Run r = run("import", "readings", csv.toString(), "--store", url, "--meters", meters.toString(),
                "--config", config.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        try (TimeSeriesStore db = StoreFactory.open(url)) {
            assertThat(db.alarms("B25", 10).orElseThrow()).as("DN25: water defaults")
                    .anySatisfy(a -> assertThat(String.valueOf(a.get("kind"))).isIn("CONTINUOUS_FLOW", "NIGHT_FLOW"));
            assertThat(db.alarms("A20", 10).orElseThrow()).as("DN20: its class's settings").isEmpty();
            assertThat(db.alarms("C15", 10).orElseThrow()).as("DN15: its class's settings").isEmpty();
        }
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static TestCli.Run run(String... args) {
        return TestCli.meterhub(args);
    }
}
