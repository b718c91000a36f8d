package org.meterhub.app.query;

import java.time.Instant;
import java.time.ZoneId;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.Params;

/**
 * Times as people type them, read exactly as the HTTP API reads them: an offset timestamp, a
 * local date-time or a date in the utility's zone.
 */
public final class TimeArgs {
    private TimeArgs() {
    }

    public static Instant parse(String option, String text, ZoneId zone) {
        try {
            return Params.parseTime(option, text.strip(), zone);
        } catch (BadParameterException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
