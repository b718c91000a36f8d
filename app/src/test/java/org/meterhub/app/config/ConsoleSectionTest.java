package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.meterhub.app.TestCli.meterhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.TestCli.Run;
import org.meterhub.engine.console.ConsoleSettings;
import org.meterhub.engine.meter.Medium;

/** The console's stale threshold as a YAML setting: global and per medium, defaults, and one-line errors naming the field. */
class ConsoleSectionTest {
    final ConfigLoader loader = new ConfigLoader();

    @Test
    void globalAndPerMediumThresholds() {
        ConsoleSettings s = loader.parse("gateway.yaml", """
                console:
                  stale-after: 49h
                  heat: {stale-after: 2h}
                """, GatewayConfig.class).console().settings();
        assertThat(s.staleAfter(Medium.GAS)).isEqualTo(Duration.ofHours(49));
        assertThat(s.staleAfter(Medium.WATER)).isEqualTo(Duration.ofHours(49));
        assertThat(s.staleAfter(Medium.HEAT)).isEqualTo(Duration.ofHours(2));

        ConsoleSettings d = GatewayConfig.defaults().console().settings();
        assertThat(d.staleAfter(Medium.GAS)).isEqualTo(Duration.ofHours(25)).isEqualTo(ConsoleSettings.DEFAULT_STALE_AFTER);
        assertThat(loader.parse("console.yaml", "water: {stale-after: 3d}\n", ConsoleSection.class).settings()
                .staleAfter(Medium.WATER)).isEqualTo(Duration.ofDays(3));
    }

    @Test
    void busHealthThresholds() {
        ConsoleSettings s = loader.parse("gateway.yaml", """
                console:
                  bus-health: {degraded-percent: 10, down-percent: 90}
                """, GatewayConfig.class).console().settings();
        assertThat(s.busHealth()).isEqualTo(new org.meterhub.engine.gateways.GatewayHealth.Settings(10, 90));
        assertThat(GatewayConfig.defaults().console().settings().busHealth())
                .isEqualTo(new org.meterhub.engine.gateways.GatewayHealth.Settings(20, 100));
        assertThat(loader.parse("console.yaml", "bus-health: {degraded-percent: 5}\n", ConsoleSection.class).settings()
                .busHealth()).isEqualTo(new org.meterhub.engine.gateways.GatewayHealth.Settings(5, 100));
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "console:\n  bus-health: {degraded-percent: 50, down-percent: 40}\n",
                GatewayConfig.class)).isInstanceOf(ConfigException.class).hasMessageContaining("gateway.yaml:2")
                .hasMessageContaining("down-percent: expected degraded-percent (50) to 100, got 40");
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheField() {
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "console:\n  stale-after: 0s\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("gateway.yaml:2: console.stale-after: expected a duration from 1m to 400d, got 0s");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "console:\n  heat:\n    stale-after: 500d\n", GatewayConfig.class))
                .hasMessage("gateway.yaml:3: console.heat.stale-after: expected a duration from 1m to 400d, got 12000h");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "console:\n  stale-after: soon\n", GatewayConfig.class))
                .hasMessageStartingWith("gateway.yaml:2: console.stale-after: expected a duration");
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "console:\n  steam: {stale-after: 1h}\n", GatewayConfig.class))
                .hasMessageContaining("unknown field \"steam\"");
    }

    @Test
    void theEngineRefusesABadFileBeforeStarting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("console.yaml");
        Files.writeString(file, "stale-after: 30s\n");
        Run run = meterhub("engine", "--store", "jdbc:sqlite:" + dir.resolve("x.db"), "--http", "127.0.0.1:0",
                "--console-settings", file.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).isEqualTo("meterhub: " + file + ":1: stale-after: expected a duration from 1m to 400d,"
                + " got 30s");
        assertThat(Files.exists(dir.resolve("x.db"))).as("nothing started").isFalse();
    }
}
