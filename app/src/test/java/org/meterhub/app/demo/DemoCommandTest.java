package org.meterhub.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.Milestone;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.SqliteStore;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.fleet.Cjt188Fleet;

/**
 * Where the demo starts (after the newest reading of an earlier run, found in one statement) and what it runs
 * with (the user's {@code --config}, every section, with only the buses generated).
 */
class DemoCommandTest {
    static final Instant NOW = Instant.parse("2026-12-07T02:00:17Z");

    @Test
    void aFreshStoreStartsNowAndAnUsedOneAfterItsNewestReading(@TempDir Path dir) {
        String url = "jdbc:sqlite:" + dir.resolve("demo.db");
        try (MeterStore store = new SqliteStore(dir.resolve("demo.db"))) {
            assertThat(DemoCommand.startAfter(url, NOW)).isEqualTo(Instant.parse("2026-12-07T02:00:00Z"));
            // 3,000 meters, each last read at its own time; one meter is never read
            Instant base = Instant.parse("2026-11-01T00:00:00Z");
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                String id = String.format("M%05d", i);
                store.registerMeter(new MeterInfo(id, Medium.GAS, 0, base.minus(Duration.ofDays(1)), MeterInfo.CJT188_CAPACITY_L));
                // the newest reading belongs to a meter in the middle of the id order
                Instant t = base.plus(Duration.ofMinutes((i * 7919L) % 30_011));
                readings.add(new Reading(id, t, t.plusSeconds(1), 1000 + i, ReadingSource.CJT188, Set.of(), 0));
                readings.add(new Reading(id, t.minus(Duration.ofHours(1)), t, 900 + i, ReadingSource.CJT188, Set.of(), 0));
            }
            store.registerMeter(new MeterInfo("NEVER", Medium.GAS, 0, base, MeterInfo.CJT188_CAPACITY_L));
            store.append(readings, List.of());
            Optional<Instant> oneByOne = store.meters().stream().map(m -> store.lastReading(m.meterId()).map(Reading::time))
                    .flatMap(Optional::stream).max(Instant::compareTo);
            assertThat(oneByOne).isPresent();
            assertThat(oneByOne.get()).as("not the last meter's").isNotEqualTo(store.lastReading("M02999").get().time());
            assertThat(DemoCommand.startAfter(url, NOW)).isEqualTo(oneByOne.get());
        }
    }

    @Test
    void aPrivateMemoryStoreStartsNow() {
        assertThat(DemoCommand.startAfter("jdbc:sqlite::memory:", NOW)).isEqualTo(Instant.parse("2026-12-07T02:00:00Z"));
    }

    @Test
    void everySectionOfTheUsersFileIsInEffect(@TempDir Path dir) throws Exception {
        Path deadlines = dir.resolve("deadlines.yaml");
        Files.writeString(deadlines, "alarms:\n  gas:\n    leak: {acknowledge: 2h, resolve: 12h}\n");
        Path yaml = dir.resolve("my.yaml");
        Files.writeString(yaml, """
                zone: Europe/Athens
                leak:
                  gas: {night-min-flow-mlph: 31000, continuous-hours: 5}
                evc:
                  tolerance-percent: 1.25
                alarms:
                  deadlines: %s
                clock:
                  max-backfill: 3d
                console:
                  stale-after: 2h
                """.formatted(deadlines));
        GatewayConfig cfg = new ConfigLoader().load(yaml, GatewayConfig.class);
        Cjt188Fleet fleet = Cjt188Fleet.create(6, 2, Clock.fixed(NOW, ZoneOffset.UTC), ZoneId.of("Europe/Athens"),
                WireModel.instant(), Duration.ofSeconds(20), 188);

        GatewayConfig demo = DemoCommand.demoConfig(cfg, fleet);

        // the generated buses, on loopback
        assertThat(demo.buses()).hasSize(2);
        assertThat(demo.buses().stream().mapToInt(b -> b.meters().size()).sum()).isEqualTo(6);
        assertThat(demo.dtu().listen()).isEqualTo("127.0.0.1:0");
        // the file's sections, as the demo's rules take them (SingleBox.rules reads demo.ruleOptions())
        IngestRules.Options rules = demo.ruleOptions();
        LeakProfile.Params gas = rules.leaks().byMedium().get(Medium.GAS);
        assertThat(gas.nightMinMlph()).isEqualTo(31_000).isNotEqualTo(LeakProfile.Params.defaults(Medium.GAS).nightMinMlph());
        assertThat(gas.continuousHours()).isEqualTo(5);
        assertThat(rules.evc().tolerancePercent()).isEqualByComparingTo(new BigDecimal("1.25"));
        assertThat(rules.deadlines().of(AlarmKind.GAS_LEAK_SUSPECTED, Medium.GAS).within())
                .containsEntry(Milestone.ACKNOWLEDGE, Duration.ofHours(2)).containsEntry(Milestone.RESOLVE, Duration.ofHours(12));
        assertThat(rules.maxBackfill()).isEqualTo(Duration.ofDays(3));
        assertThat(rules.zone()).isEqualTo(ZoneId.of("Europe/Athens"));
        assertThat(demo.console().settings().staleAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(demo.alarms()).isEqualTo(cfg.alarms());
        assertThat(demo.evc()).isEqualTo(cfg.evc());
        assertThat(demo.leak()).isEqualTo(cfg.leak());
        assertThat(demo.clock()).isEqualTo(cfg.clock());
        assertThat(demo.storeRetry()).isEqualTo(cfg.storeRetry());
        assertThat(demo.mqtt()).isEqualTo(cfg.mqtt());
        assertThat(demo.admin()).isEqualTo(cfg.admin());
    }
}
