package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meterhub.gateway.clock.ClockSettings;

class ClockConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void theClockSectionBecomesTheGatewaysClockSettingsWithPollMaxClockSkew() {
        GatewayConfig c = loader.parse("gateway.yaml", """
                poll:
                  max-clock-skew: 5m
                clock:
                  max-backfill: 2d
                  meter-quorum: 5
                  sample-window: 30m
                  step-threshold: 1s
                  max-slew: 25
                  not-before: 2026-11-01
                  sync-marker: none
                  sync-command: [chronyc, waitsync, "1", "0.5"]
                """, GatewayConfig.class);
        ClockSettings s = c.clock().settings(c.poll().maxClockSkew());
        assertThat(s.maxClockSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.maxBackfill()).isEqualTo(Duration.ofDays(2));
        assertThat(s.meterQuorum()).isEqualTo(5);
        assertThat(s.sampleWindow()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.stepThreshold()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.maxSlewPercent()).isEqualTo(25);
        assertThat(s.notBefore()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(s.syncMarkerDir()).isNull();
        assertThat(s.syncCommand()).containsExactly("chronyc", "waitsync", "1", "0.5");

        ClockSettings d = GatewayConfig.defaults().clock().settings(Duration.ofMinutes(10));
        assertThat(d.maxBackfill()).isEqualTo(Duration.ofDays(7));
        assertThat(d.meterQuorum()).isEqualTo(3);
        assertThat(d.maxSlewPercent()).isEqualTo(10);
        assertThat(d.notBefore()).isNull(); // the build time of the jar
        assertThat(d.syncMarkerDir()).isEqualTo(Path.of("/run/systemd/timesync"));
        assertThat(d.syncCommand()).isEqualTo(List.of());
    }

    @Test
    void badClockSettingsAreRefusedInOneLineNamingTheField() {
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "clock:\n  max-slew: 80\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("gateway.yaml:2: clock.max-slew: expected an integer from 1 to 50, got 80");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "clock:\n  not-before: yesterday\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clock.not-before: expected a date such as 2026-11-01");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "clock:\n  meter-quorum: 0\n", GatewayConfig.class))
                .hasMessageContaining("clock.meter-quorum: expected an integer from 1 to 1000, got 0");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "clock:\n  held: 1\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("held");
    }
}
