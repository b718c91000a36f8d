package org.meterhub.app.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.app.ChildProcess;
import org.meterhub.app.TestCli;

/** Structured log lines: one event a line, parseable as JSON or logfmt, with the message and the stack trace intact. */
class LogFormatTest {
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    private static String line(LogFormat format) {
        LoggerContext context = new LoggerContext();
        LoggingEvent e = new LoggingEvent("x", context.getLogger("org.meterhub.gateway.journal.Journal"), Level.WARN,
                "journal {}: commit failed: \"disk full\"\nretrying", new IllegalStateException("no space left"),
                new Object[] {"/var/lib/meterhub/journal.db"});
        e.setTimeStamp(1_795_000_000_000L);
        byte[] bytes = format.encoder(context).encode(e);
        context.stop();
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aJsonLineParsesWithEveryField() throws Exception {
        String line = line(LogFormat.JSON);
        assertThat(line.strip().lines()).as("one event, one line").hasSize(1);
        JsonNode o = json.readTree(line);
        assertThat(o.get("time").asText()).isEqualTo("2026-11-18T11:06:40Z");
        assertThat(o.get("level").asText()).isEqualTo("WARN");
        assertThat(o.get("logger").asText()).isEqualTo("org.meterhub.gateway.journal.Journal");
        assertThat(o.get("msg").asText())
                .isEqualTo("journal /var/lib/meterhub/journal.db: commit failed: \"disk full\"\nretrying");
        assertThat(o.get("error").asText()).startsWith("java.lang.IllegalStateException: no space left");
    }

    @Test
    void aLogfmtLineQuotesWhatNeedsIt() {
        String line = line(LogFormat.LOGFMT);
        assertThat(line.strip().lines()).hasSize(1);
        Matcher m = Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]++|\\\\.)*+\"|\\S+)").matcher(line);
        List<String> keys = new java.util.ArrayList<>();
        while (m.find()) keys.add(m.group(1));
        assertThat(keys).containsExactly("time", "level", "logger", "thread", "msg", "error");
        assertThat(line).startsWith("time=2026-11-18T11:06:40Z level=WARN logger=org.meterhub.gateway.journal.Journal")
                .contains("msg=\"journal /var/lib/meterhub/journal.db: commit failed: \\\"disk full\\\"\\nretrying\"");
    }

    @Test
    void theTextFormatIsTodaysAndTheSettingNamesItsValues() {
        assertThat(line(LogFormat.TEXT)).contains(" WARN  o.m.g.journal.Journal - journal /var/lib/meterhub/journal.db");
        assertThat(LogFormat.parse("JSON")).isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> LogFormat.parse("xml")).hasMessage("expected text, logfmt or json, got \"xml\"");
        TestCli.Run bad = TestCli.meterhub("--log-format", "xml", "decode", "cjt188", "68");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--log-format: expected text, logfmt or json, got \"xml\"");
    }

    @Test
    void aCommandWithLogFormatJsonWritesJsonLines() throws Exception {
        Path log = dir.resolve("engine.log");
        try (ChildProcess engine = ChildProcess.start(log, "--log-format", "json", "--verbose", "engine", "--store",
                "jdbc:sqlite:" + dir.resolve("mh.db"))) {
            engine.awaitOutput("schema up to date", Duration.ofSeconds(60));
            List<String> jsonLines = engine.output().lines().filter(l -> l.startsWith("{")).toList();
            assertThat(jsonLines).as(engine.output()).isNotEmpty();
            for (String l : jsonLines) assertThat(json.readTree(l).has("msg")).as(l).isTrue();
            assertThat(engine.output().lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")))
                    .as("no text log lines").isEmpty();
        }
    }
}
