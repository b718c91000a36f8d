package org.meterhub.engine.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.SqliteStore;

/**
 * The fleet's last readings in one statement give, meter by meter, what {@link MeterStore#lastReading}
 * gives one at a time, on SQLite and on PostgreSQL (daily partitions, so "last" crosses partitions),
 * and the online/stale/never-read counts follow the per-medium threshold.
 */
class LastReadingsTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

    @Test
    void onSqlite(@TempDir Path dir) {
        try (MeterStore store = new SqliteStore(dir.resolve("last.db"));
             SqlDatabase db = SqlDatabase.open("jdbc:sqlite:" + dir.resolve("last.db"))) {
            sameAsOneByOne(store, db);
        }
    }

    @Test
    void onPostgres() {
        try (PgTestDatabase pg = PgTestDatabase.create(); MeterStore store = new PostgresStore(pg.url());
             SqlDatabase db = SqlDatabase.open(pg.url())) {
            sameAsOneByOne(store, db);
        }
    }

    private static void sameAsOneByOne(MeterStore store, SqlDatabase db) {
        assertThat(new LastReadings(db).latest()).as("no meters yet").isEmpty();
        store.registerMeter(new MeterInfo("A-UNREAD", Medium.GAS, 0, NOW.minus(Duration.ofDays(30)), MeterInfo.CJT188_CAPACITY_L));
        assertThat(new LastReadings(db).latest()).as("a meter without readings").isEmpty();
        // gas read hourly until 2 h ago; gas silent for 3 days; heat silent for 3 h; water never read;
        // a meter read twice at its last time by two sources (the later source wins in lastReading, the time is the same)
        write(store, "G-ONLINE", Medium.GAS, NOW.minus(Duration.ofDays(5)), NOW.minus(Duration.ofHours(2)), ReadingSource.CJT188);
        write(store, "G-STALE", Medium.GAS, NOW.minus(Duration.ofDays(9)), NOW.minus(Duration.ofDays(3)), ReadingSource.CJT188);
        write(store, "H-LATE", Medium.HEAT, NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofHours(3)), ReadingSource.MODBUS);
        write(store, "H-LATE", Medium.HEAT, NOW.minus(Duration.ofHours(3)), NOW.minus(Duration.ofHours(3)), ReadingSource.CJT188);
        store.registerMeter(new MeterInfo("W-NEVER", Medium.WATER, 0, NOW.minus(Duration.ofDays(30)), MeterInfo.CJT188_CAPACITY_L));

        List<LastReadings.MeterLastReading> all = new LastReadings(db).all();
        assertThat(all).extracting(LastReadings.MeterLastReading::meterId)
                .containsExactly("A-UNREAD", "G-ONLINE", "G-STALE", "H-LATE", "W-NEVER");
        all = all.subList(1, all.size());
        for (LastReadings.MeterLastReading m : all) {
            assertThat(m.lastReading()).as(m.meterId()).isEqualTo(store.lastReading(m.meterId()).map(Reading::time));
        }
        assertThat(all.get(0).lastReading()).contains(NOW.minus(Duration.ofHours(2)));
        assertThat(all.get(2).medium()).isEqualTo(Medium.HEAT);
        assertThat(all.get(3).lastReading()).isEqualTo(Optional.empty());

        // the newest of them all in one statement: the same as the largest meter by meter
        Optional<Instant> newest = store.meters().stream().map(m -> store.lastReading(m.meterId()).map(Reading::time))
                .flatMap(Optional::stream).max(Instant::compareTo);
        assertThat(new LastReadings(db).latest()).isEqualTo(newest).contains(NOW.minus(Duration.ofHours(2)));

        // 25 h for everything: heat 3 h old is online
        assertThat(LastReadings.freshness(all, NOW, m -> Duration.ofHours(25)))
                .isEqualTo(new LastReadings.Freshness(4, 2, 1, 1));
        // heat meters stale after 2 h (a per-medium setting): now stale
        Map<Medium, Duration> heat2h = Map.of(Medium.HEAT, Duration.ofHours(2));
        assertThat(LastReadings.freshness(all, NOW, m -> heat2h.getOrDefault(m, Duration.ofHours(25))))
                .isEqualTo(new LastReadings.Freshness(4, 1, 2, 1));
    }

    /** Hourly readings in [from, to], registers rising. */
    private static void write(MeterStore store, String meter, Medium medium, Instant from, Instant to, ReadingSource source) {
        store.registerMeter(new MeterInfo(meter, medium, 0, from.minus(Duration.ofDays(1)), MeterInfo.CJT188_CAPACITY_L));
        List<Reading> readings = new ArrayList<>();
        long register = 1000;
        for (Instant t = from; !t.isAfter(to); t = t.plus(Duration.ofHours(1))) {
            register += 7;
            readings.add(new Reading(meter, t, t.plusSeconds(2), register, source, Set.of(), 0));
        }
        store.append(readings, List.of());
    }
}
