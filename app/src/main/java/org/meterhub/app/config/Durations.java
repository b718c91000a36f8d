package org.meterhub.app.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: 250ms, 10s, 5m, 1h, 2d. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    public static final String EXPECTED = "a duration such as 250ms, 10s, 5m, 1h or 2d";

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    public static String format(Duration d) {
        if (d.toMillis() % 86_400_000 == 0 && !d.isZero()) return d.toDays() + "d";
        if (d.toMillis() % 3_600_000 == 0 && !d.isZero()) return d.toHours() + "h";
        if (d.toMillis() % 60_000 == 0 && !d.isZero()) return d.toMinutes() + "m";
        if (d.toMillis() % 1000 == 0) return d.toSeconds() + "s";
        return d.toMillis() + "ms";
    }
}
