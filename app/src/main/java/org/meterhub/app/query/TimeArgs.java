package org.meterhub.app.query;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.meterhub.app.config.ConfigException;

/** Times as people type them: an offset timestamp, a local date-time or a date in the utility's zone. */
final class TimeArgs {
    private TimeArgs() {
    }

    static Instant parse(String option, String text, ZoneId zone) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException ignored) {
            // try the local forms next
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeException ignored) {
            // try the local forms next
        }
        try {
            return LocalDateTime.parse(text).atZone(zone).toInstant();
        } catch (DateTimeException ignored) {
            // try a date next
        }
        try {
            return LocalDate.parse(text).atStartOfDay(zone).toInstant();
        } catch (DateTimeException e) {
            throw new ConfigException(option + ": expected a time such as 2026-11-24, 2026-11-24T08:00 or "
                    + "2026-11-24T08:00:00+08:00, got \"" + text + "\"");
        }
    }
}
