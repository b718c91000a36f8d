package org.meterhub.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The logging set up in code is the one logback uses, and says what logback.xml says. */
class QuietLoggingTest {

    @Test
    void logbackFindsItAsItsConfigurator() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(p -> p.type().getName()))
                .contains(QuietLogging.class.getName());
        assertThat(((LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).getLogger("ROOT")
                .getAppender("STDERR")).isNotNull();
    }

    @Test
    void levelsAndPatternEqualLogbackXml() throws Exception {
        String xml;
        try (InputStream in = QuietLogging.class.getResourceAsStream("/logback.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(xml).contains("<pattern>" + QuietLogging.PATTERN + "</pattern>")
                .contains("<logger name=\"org.meterhub\" level=\"WARN\"/>")
                .contains("<logger name=\"io.netty\" level=\"WARN\"/>").contains("<root level=\"WARN\">");
        LoggerContext context = new LoggerContext();
        QuietLogging q = new QuietLogging();
        q.setContext(context);
        assertThat(q.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.meterhub").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) context.getLogger("ROOT").getAppender("STDERR");
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern()).isEqualTo(QuietLogging.PATTERN);
        context.stop();
    }
}
