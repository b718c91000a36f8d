package org.meterhub.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.meterhub.app.forward.JournalWiring;

/** The gateway YAML's journal commit linger, through to the journal's settings. */
class JournalConfigTest {
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void commitLingerIsReadDefaultsToFiveMillisecondsAndMayBeZero() {
        GatewayConfig c = loader.parse("gateway.yaml", "journal:\n  commit-linger: 20ms\n", GatewayConfig.class);
        assertThat(JournalWiring.journal(c.journal()).commitLinger()).isEqualTo(Duration.ofMillis(20));
        assertThat(JournalWiring.journal(GatewayConfig.JournalSection.defaults()).commitLinger())
                .isEqualTo(Duration.ofMillis(5));
        GatewayConfig zero = loader.parse("gateway.yaml", "journal:\n  commit-linger: 0ms\n", GatewayConfig.class);
        assertThat(JournalWiring.journal(zero.journal()).commitLinger()).isZero();
    }

    @Test
    void aCommitLingerAboveOneSecondIsRefusedByName() {
        assertThatThrownBy(() -> loader.parse("gateway.yaml", "journal:\n  commit-linger: 2s\n", GatewayConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("commit-linger")
                .hasMessageContaining("2s");
    }
}
