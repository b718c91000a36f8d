package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader();

    private ConfigException error(String yaml) {
        try {
            loader.parse("gateway.yaml", yaml, GatewayConfig.class);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception").doesNotContain("at [Source");
            return e;
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void emptyFileGivesTheDocumentedDefaults() {
        GatewayConfig c = loader.parse("gateway.yaml", "", GatewayConfig.class);
        assertThat(c.zone().getId()).isEqualTo("Asia/Shanghai");
        assertThat(c.dtu().registrationTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.dtu().heartbeat()).isEqualTo("HB\n");
        assertThat(c.poll().maxClockSkew()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.store()).isEqualTo("jdbc:sqlite:data/meterhub.db");
    }

    @Test
    void fullFileIsRead() {
        GatewayConfig c = loader.parse("gateway.yaml", """
                zone: Asia/Urumqi
                dtu:
                  listen: 127.0.0.1:7801
                  idle-timeout: 2m
                poll:
                  interval: 30m
                  inter-frame-delay: 50ms
                buses:
                  - dtu: DTU-7
                    meters:
                      - id: "30000000000042"
                        di-order: low-first
                        base-reading-l: 1230
                """, GatewayConfig.class);
        assertThat(c.dtu().listen()).isEqualTo("127.0.0.1:7801");
        assertThat(c.poll().interval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.buses()).singleElement().satisfies(b -> {
            assertThat(b.protocol()).isEqualTo("cjt188");
            assertThat(b.meters().get(0).diOrder()).isEqualTo("low-first");
            assertThat(b.meters().get(0).address()).isEqualTo("30000000000042");
        });
    }

    @Test
    void unknownFieldNamesFileLineFieldAndTheChoices() {
        ConfigException e = error("poll:\n  interval: 5m\n  intervall: 6m\n");
        assertThat(e.getMessage()).startsWith("gateway.yaml:3: poll: unknown field \"intervall\"")
                .contains("interval", "timeout");
    }

    @Test
    void wrongDurationSaysWhatWasExpected() {
        ConfigException e = error("dtu:\n  idle-timeout: soon\n");
        assertThat(e.getMessage()).startsWith("gateway.yaml:2: dtu.idle-timeout:").contains("duration such as", "\"soon\"");
    }

    @Test
    void wrongNumberAndRangeAreReported() {
        assertThat(error("dtu:\n  preamble-bytes: many\n").getMessage())
                .startsWith("gateway.yaml:2: dtu.preamble-bytes:").contains("whole number");
        assertThat(error("dtu:\n  listen: 0.0.0.0:7700\n  preamble-bytes: 9\n  idle-timeout: 1m\n").getMessage())
                .isEqualTo("gateway.yaml:3: dtu.preamble-bytes: expected an integer from 0 to 4, got 9");
    }

    @Test
    void dtuProofsAndHeartbeatTimeout() {
        GatewayConfig c = loader.parse("gateway.yaml", """
                dtu:
                  heartbeat-timeout: 90s
                buses:
                  - dtu: DTU-7
                    secret: "correct-horse-battery"
                    iccid: "89860012345678901234"
                    imei: "861234567890123"
                  - dtu: DTU-8
                """, GatewayConfig.class);
        assertThat(c.dtu().heartbeatTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.buses().get(0).proofs()).containsExactlyInAnyOrder("correct-horse-battery",
                "89860012345678901234", "861234567890123");
        assertThat(c.buses().get(1).proofs()).isEmpty();
        assertThat(loader.parse("gateway.yaml", "dtu:\n  idle-timeout: 1m\n", GatewayConfig.class).dtu().heartbeatTimeout())
                .as("the default never outlasts the idle timeout").isEqualTo(Duration.ofMinutes(1));

        assertThat(error("buses:\n  - dtu: DTU-1\n    secret: short\n").getMessage())
                .contains("buses[0]").contains("secret: expected 12 to 128 printable ASCII characters");
        assertThat(error("buses:\n  - dtu: DTU-1\n    iccid: \"123\"\n").getMessage()).contains("iccid: expected");
        assertThat(error("dtu:\n  idle-timeout: 1m\n  heartbeat-timeout: 2m\n").getMessage())
                .contains("dtu").contains("heartbeat-timeout").contains("longer than idle-timeout");
    }

    @Test
    void badMeterInAListIsLocated() {
        ConfigException e = error("""
                buses:
                  - dtu: DTU-1
                    meters:
                      - id: "30000000000001"
                      - id: "42"
                """);
        assertThat(e.getMessage()).contains("buses[0].meters[1]").contains("14-digit meter address");
    }

    @Test
    void badZoneAndBrokenYaml() {
        assertThat(error("zone: Mars/Olympus\n").getMessage()).contains("zone").contains("time zone such as Asia/Shanghai");
        assertThat(error("dtu: [unclosed\n").getMessage()).startsWith("gateway.yaml");
    }

    @Test
    void missingFileIsAOneLineError() {
        assertThatThrownBy(() -> loader.load(java.nio.file.Path.of("does-not-exist.yaml"), GatewayConfig.class))
                .isInstanceOf(ConfigException.class).hasMessage("does-not-exist.yaml: no such file");
    }
}
