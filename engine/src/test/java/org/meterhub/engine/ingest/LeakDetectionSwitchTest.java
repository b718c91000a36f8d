package org.meterhub.engine.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The settings' switch of the leak detectors ({@link IngestRules.Options#withLeakDetection}, YAML {@code leak.enabled})
 * turns off the detectors and nothing else of ingest: the same readings through a pipeline on a real SQLite store with
 * it on and off store the same readings, intervals, corrections and validation flags and raise the same non-leak
 * alarms (a valve fault's included); only the leak alarms (a continuous flow, found forward and in a late day) differ.
 * The benchmark {@code IngestLeakCost} compares the two modes' rates, so this is what makes its comparison fair.
 */
class LeakDetectionSwitchTest {
    private static final Instant T0 = Instant.parse("2026-10-31T16:00:00Z"); // local midnight, Asia/Shanghai
    private static final String LEAK = "40000000000011";
    private static final String LATE_LEAK = "40000000000012";
    private static final String QUIET = "40000000000013";

    @TempDir
    Path dir;

    /** Day k's upload; 2 L more every hour from day 15 on a leaking meter; a valve fault on the quiet meter's day 3 noon
     *  (a meter alarm, not a leak alarm). */
    private static List<Reading> day(String meter, int k, boolean leak) {
        return DailyUploads.day(meter, k, T0, (d, h) -> DailyUploads.use(d, h) + (leak && d >= 15 ? 2 : 0),
                h -> meter.equals(QUIET) && k == 3 && h == 11 ? Set.of(ReadingFlag.VALVE_FAULT) : Set.of());
    }

    record Outcome(long stored, long intervals, long corrections, long flags, long lateReadings, long leakDetections,
                   long rejudgements, long readingRows, long intervalRows, long correctionRows, long flagRows,
                   Map<AlarmKind, Long> alarms) {
    }

    private Outcome run(boolean detect) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve((detect ? "on" : "off") + ".db");
        Clock clock = Clock.fixed(T0.plusSeconds(86_400L * 20), ZoneOffset.UTC);
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            for (String m : List.of(LEAK, LATE_LEAK, QUIET)) {
                store.saveProfile(new MeterProfile(new MeterInfo(m, Medium.WATER, 100_000, T0, 100_000_000L), "NB-IoT",
                        null, null, null, null, null, null, MeterRole.CUSTOMER));
            }
            IngestRules.Options options = IngestRules.Options.defaults().withLeakDetection(detect);
            try (IngestPipeline p = IngestPipeline.withRules(store, IngestRules.forStore(url, AlarmSink.none(), clock, options))) {
                assertThat(p.rules().leakDetection()).isEqualTo(detect);
                for (int k = 0; k < 17; k++) {
                    for (String m : List.of(LEAK, QUIET)) {
                        day(m, k, m.equals(LEAK)).forEach(p::accept);
                        p.flush();
                    }
                    if (k == 15) continue; // the late meter's leak day comes after the next day
                    day(LATE_LEAK, k, true).forEach(p::accept);
                    p.flush();
                }
                day(LATE_LEAK, 15, true).forEach(p::accept);
                p.flush();
                IngestPipeline.IngestStats s = p.stats();
                Map<AlarmKind, Long> alarms = new LinkedHashMap<>();
                long[] rows = new long[4];
                try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("select kind, count(*) from alarms group by kind order by kind")) {
                        while (rs.next()) alarms.put(AlarmKind.valueOf(rs.getString(1)), rs.getLong(2));
                    }
                    String[] tables = {"readings", "consumption", "consumption_corrections", "validation_flags"};
                    for (int i = 0; i < tables.length; i++) {
                        try (ResultSet rs = st.executeQuery("select count(*) from " + tables[i])) {
                            rs.next();
                            rows[i] = rs.getLong(1);
                        }
                    }
                }
                return new Outcome(s.stored(), s.intervals(), s.corrections(), s.flags(), s.lateReadings(),
                        s.leakDetections(), s.leakRejudgements(), rows[0], rows[1], rows[2], rows[3], alarms);
            }
        }
    }

    @Test
    void offTurnsOffTheLeakDetectorsAndNothingElse() throws Exception {
        Outcome on = run(true);
        Outcome off = run(false);

        assertThat(on.leakDetections()).as("the leaks are found with the detectors on (the test can fail)").isEqualTo(2);
        assertThat(on.alarms()).containsEntry(AlarmKind.CONTINUOUS_FLOW, 2L);
        assertThat(on.rejudgements()).as("the late day judged again").isPositive();
        assertThat(on.alarms()).as("the valve fault is a meter alarm").containsKey(AlarmKind.VALVE_FAULT);

        assertThat(off.leakDetections()).isZero();
        assertThat(off.rejudgements()).as("late hours are not judged again either").isZero();
        assertThat(off.alarms().keySet()).noneMatch(k -> k.category() == AlarmKind.Category.LEAK);

        Map<AlarmKind, Long> onOther = new LinkedHashMap<>(on.alarms());
        onOther.keySet().removeIf(k -> k.category() == AlarmKind.Category.LEAK);
        assertThat(off.alarms()).as("every other alarm as with the detectors on").isEqualTo(onOther).isNotEmpty();
        assertThat(off.lateReadings()).isEqualTo(on.lateReadings()).isEqualTo(24);
        assertThat(new long[] {off.stored(), off.intervals(), off.corrections(), off.flags(), off.readingRows(),
                off.intervalRows(), off.correctionRows(), off.flagRows()})
                .as("stored, intervals, corrections, flags (counted and rows)")
                .containsExactly(on.stored(), on.intervals(), on.corrections(), on.flags(), on.readingRows(),
                        on.intervalRows(), on.correctionRows(), on.flagRows());
        assertThat(on.readingRows()).isEqualTo(3 * 17 * 24);
        assertThat(on.correctionRows()).as("the late day placed by a correction in both modes").isPositive();
    }
}
