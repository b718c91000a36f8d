package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.meterhub.app.forward.JournalWiring;
import org.meterhub.engine.ingest.StoreRetry;

/** journal.min-free-disk and store-retry: read, defaulted, and refused by name when wrong. */
class FaultSettingsConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void minFreeDiskIsReadDefaultsTo32MiBAndZeroTurnsTheWatchOff() {
        GatewayConfig c = loader.parse("gateway.yaml", "journal:\n  min-free-disk: 4MiB\n", GatewayConfig.class);
        assertThat(JournalWiring.journal(c.journal()).minFreeBytes()).isEqualTo(4L << 20);
        assertThat(JournalWiring.journal(GatewayConfig.JournalSection.defaults()).minFreeBytes()).isEqualTo(32L << 20);
        GatewayConfig off = loader.parse("gateway.yaml", "journal:\n  min-free-disk: \"0\"\n", GatewayConfig.class);
        assertThat(JournalWiring.journal(off.journal()).minFreeBytes()).isZero();
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "journal:\n  min-free-disk: lots\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("min-free-disk").hasMessageContaining("lots")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void storeRetryIsReadDefaultsToOneSecondDoublingToThirtyAndIsValidated() {
        assertThat(GatewayConfig.defaults().storeRetry().toRetry()).isEqualTo(StoreRetry.DEFAULTS);
        GatewayConfig c = loader.parse("gateway.yaml", "store-retry:\n  initial: 500ms\n  max: 10s\n", GatewayConfig.class);
        StoreRetry r = c.storeRetry().toRetry();
        assertThat(r.next(null)).isEqualTo(Duration.ofMillis(500));
        assertThat(r.next(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "store-retry:\n  initial: 5s\n  max: 1s\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store-retry").hasMessageContaining("max");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "store-retry:\n  initial: 0s\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("initial");
    }
}
