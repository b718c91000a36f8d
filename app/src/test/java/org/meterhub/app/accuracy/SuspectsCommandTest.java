package org.meterhub.app.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.Main;
import org.meterhub.app.TestCli;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * docs/accuracy.md's check-meter example through the command: check meter CHK-1 passes 1000 L a day,
 * meter M-CHK in series with it 970 L, over 2026-11-01..10: 9.700 against 10.000 m³ = -3.000 %, beyond
 * ±1.5 %. The check meters come from the rules file; a bad one is a one-line error naming the field.
 */
class SuspectsCommandTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;

    @Test
    void checkMeterSuspectAsTextCsvAndJson() throws IOException {
        String url = "jdbc:sqlite:" + dir.resolve("meterhub.db");
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            List<Reading> readings = new ArrayList<>();
            List<ConsumptionInterval> intervals = new ArrayList<>();
            for (String m : List.of("CHK-1", "M-CHK")) {
                long litres = m.equals("CHK-1") ? 1_000 : 970;
                store.registerMeter(new MeterInfo(m, Medium.GAS, 0, at(LocalDate.of(2026, 1, 1)), MeterInfo.CJT188_CAPACITY_L));
                long register = 0;
                for (LocalDate d = LocalDate.of(2026, 11, 1); !d.isAfter(LocalDate.of(2026, 11, 10)); d = d.plusDays(1)) {
                    readings.add(new Reading(m, at(d), at(d), register, ReadingSource.CJT188, Set.of(), 0));
                    readings.add(new Reading(m, at(d).plusSeconds(3600), at(d).plusSeconds(3600), register + litres, ReadingSource.CJT188, Set.of(), 0));
                    intervals.add(new ConsumptionInterval(m, at(d), at(d).plusSeconds(3600), litres, Set.of()));
                    register += litres;
                }
            }
            store.append(readings, intervals);
        }
        Path rules = dir.resolve("meter-rules.yaml");
        Files.writeString(rules, "monitoring:\n  check-meters:\n    CHK-1: M-CHK\n");
        String evidence = "metered 9.700 m3 against 10.000 m3 on check meter CHK-1 in series, over 10 days with both in 2026-11-01..2026-11-10:"
                + " -3.000 %, beyond ±1.5 %: under-registers";
        String[] base = {"accuracy", "suspects", "--from", "2026-11-01", "--to", "2026-11-10", "--rules", rules.toString(), "--store", url};
        assertThat(ok(base).out()).contains("suspect meters 2026-11-01..2026-11-10: 1", "M-CHK", "CHECK_METER", evidence);
        assertThat(ok(with(base, "--format", "csv")).out().lines().toList())
                .containsExactly("meter,account,kind,evidence", "M-CHK,,CHECK_METER,\"" + evidence + "\"");
        assertThat(ok(with(base, "--format", "json")).out()).contains("\"meter\" : \"M-CHK\"", "\"account\" : null", "\"evidence\" : \"" + evidence + "\"");
        // With the limit raised to 3.5 % the difference is within it.
        Files.writeString(rules, "monitoring:\n  check-limit-percent: 3.5\n  check-meters:\n    CHK-1: M-CHK\n");
        assertThat(ok(base).out()).contains("suspect meters 2026-11-01..2026-11-10: 0");

        Files.writeString(rules, "monitoring:\n  district-top: 0\n");
        TestCli.Run r = TestCli.meterhub(base);
        assertThat(r.exit()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().strip()).isEqualTo("meterhub: " + rules + ":2: monitoring.district-top: expected 1..100, got 0");
    }

    private static String[] with(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    private static TestCli.Run ok(String... args) {
        TestCli.Run r = TestCli.meterhub(args);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    private static Instant at(LocalDate d) {
        return d.atStartOfDay(ZONE).toInstant();
    }
}
