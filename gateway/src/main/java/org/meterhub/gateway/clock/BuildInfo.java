package org.meterhub.gateway.clock;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;

/**
 * When this gateway was built: {@code build.properties} next to this class, filtered by Maven with
 * {@code ${maven.build.timestamp}}. No reading can have been taken by this software before it existed, so a clock
 * showing an earlier time is wrong (a flat RTC battery boots to 1970 or 2000).
 */
public final class BuildInfo {
    private BuildInfo() {
    }

    /** The build time, or empty when the resource is missing or unfiltered (e.g. classes compiled by an IDE). */
    public static Optional<Instant> buildTime() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) return Optional.empty();
            Properties p = new Properties();
            p.load(in);
            return parse(p.getProperty("built"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Instant> parse(String value) {
        if (value == null || value.startsWith("${")) return Optional.empty();
        try {
            return Optional.of(Instant.parse(value.trim()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
