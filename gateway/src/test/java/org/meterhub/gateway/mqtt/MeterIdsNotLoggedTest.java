package org.meterhub.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Meter numbers are personal data: no log line above DEBUG may carry one (domain rules, "Customer data"). The
 * uplink path's rejections and conflicts are the lines a misbehaving meter triggers most; each is logged, its
 * meter only at DEBUG.
 */
class MeterIdsNotLoggedTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private static final String METER = "30012345678901";
    private static final String OTHER = "30098765432109";
    private static final String THIRD = "30011112222333";

    private static byte[] msg(String meter, long seq, String volume) {
        return ("{\"meter\":\"" + meter + "\",\"seq\":" + seq + ",\"ts\":\"" + T0 + "\",\"volume_m3\":\"" + volume + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rejectionsAndConflictsLogTheirReasonsNotTheMeter() {
        Logger root = (Logger) LoggerFactory.getLogger("org.meterhub");
        Level was = root.getLevel();
        root.setLevel(Level.DEBUG); // the DEBUG lines must exist: the number is moved there, not lost
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            Clock clock = Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC);
            UplinkProcessor p = new UplinkProcessor(UplinkSettings.defaults().withMaxClockSkew(Duration.ofDays(1)),
                    r -> { }, b -> { }, a -> { }, clock, new MqttCounters());
            // One rejection per meter: the log takes one a minute per meter.
            p.onMessage("meters/" + METER + "/up", msg(OTHER, 1, "1.000"));                     // TOPIC_MISMATCH, naming another
            p.onMessage("meters/" + THIRD + "/up", "not json".getBytes(StandardCharsets.UTF_8)); // BAD_JSON
            p.onMessage("meters/" + OTHER + "/up", msg(OTHER, 3, "1.000"));
            p.onMessage("meters/" + OTHER + "/up", msg(OTHER, 3, "2.000"));                     // a seq conflict
            assertThat(p.counters().seqConflicts.get()).isEqualTo(1);

            List<ILoggingEvent> above = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
            assertThat(above).extracting(ILoggingEvent::getFormattedMessage)
                    .as("the rejections and the conflict are logged (the test can fail)")
                    .anyMatch(m -> m.contains("TOPIC_MISMATCH")).anyMatch(m -> m.contains("BAD_JSON"))
                    .anyMatch(m -> m.contains("seq conflict"))
                    .noneMatch(m -> m.contains(METER) || m.contains(OTHER) || m.contains(THIRD));
            assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.DEBUG).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains(METER));
        } finally {
            root.detachAppender(logs);
            root.setLevel(was);
        }
    }
}
