package org.meterhub.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CliTest {

    private static String[] run(int expectedExit, String... args) {
        TestCli.Run r = TestCli.meterhub(args);
        assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(expectedExit);
        return r.out().split("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "gateway", "engine", "sim", "query", "decode", "read"})
    void everySubcommandHasHelp(String command) {
        String[] lines = run(0, command, "--help");
        assertThat(lines[0]).startsWith("Usage: meterhub " + command);
    }

    @Test
    void decodeExplainsThePublicVectorAndFailsOnABadChecksum() {
        String[] good = run(0, "decode", "cjt188", "68 10 01 00 00 05 08 00 00 01 03 1F 90 00 39 16");
        assertThat(String.join("\n", good)).contains("00000805000001").contains("901F").contains("OK");
        String[] bad = run(1, "decode", "cjt188", "68 10 01 00 00 05 08 00 00 01 03 1F 90 00 3A 16");
        assertThat(String.join("\n", bad)).contains("checksum mismatch");
    }

    @Test
    void theShippedLogbackConfigurationParsesWithoutErrors() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(CliTest.class.getResource("/logback.xml"));
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(s -> s.getLevel() >= Status.WARN);
    }
}
