package org.meterhub.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreFactory;

/**
 * The demo's fallback on a machine without a {@code mosquitto} binary: the same uplink JSON through the gateway's
 * UplinkProcessor in-process, the journal and the engine, with the same hour-by-hour comparison. (The broker path
 * is what {@code DemoEndToEndTest} runs.)
 */
class DemoBatchDailyTest {
    @Test
    void inProcessPathStoresEveryHourAsTheRegistersCountedIt(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        try (MeterStore store = StoreFactory.open(url)) {
            DemoBatchDaily.Result r = DemoBatchDaily.run(store, url, Instant.parse("2026-11-20T08:13:00Z"),
                    ZoneId.of("Asia/Shanghai"), 5, 3, 188, false);
            assertThat(r.path()).startsWith("in-process: no mosquitto binary found");
            assertThat(r.differ()).isEmpty();
            assertThat(r.hours()).isEqualTo(5 * (3 * 24 - 1));
            assertThat(r.equal()).isEqualTo(r.hours());
            assertThat(r.litres()).as("the meters used gas, so a lost hour would show").isPositive();
        }
    }
}
