package org.meterhub.engine.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meterhub.engine.query.Step;

/** Query-string parameters, each parsed with a 400 naming it when it is wrong. */
public final class Params {

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})(ms|s|m|h|d)");
    private static final int MAX_PARAMS = 32;

    private final Map<String, String> values;
    private final ZoneId zone;

    private Params(Map<String, String> values, ZoneId zone) {
        this.values = values;
        this.zone = zone;
    }

    /** Parses a raw (still percent-encoded) query string; a repeated parameter is an error. */
    public static Params parse(String rawQuery, ZoneId zone) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
                if (values.put(name, value) != null) {
                    throw new BadParameterException(name, "given more than once");
                }
                if (values.size() > MAX_PARAMS) {
                    throw new BadParameterException(name, "too many parameters");
                }
            }
        }
        return new Params(values, zone);
    }

    private static String decode(String s, String name) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(name, "bad percent-encoding");
        }
    }

    public Optional<String> text(String name) {
        return Optional.ofNullable(values.get(name)).filter(s -> !s.isBlank());
    }

    /** A time: 2026-11-24 (local midnight), 2026-11-24T08:00 (local), or ISO with offset or Z. */
    public Instant time(String name) {
        return optionalTime(name).orElseThrow(() -> new BadParameterException(name,
                "required: a time such as 2026-11-24, 2026-11-24T08:00 or 2026-11-24T08:00:00+08:00"));
    }

    public Optional<Instant> optionalTime(String name) {
        return text(name).map(s -> parseTime(name, s.strip(), zone));
    }

    public static Instant parseTime(String name, String text, ZoneId zone) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException ignored) {
            // next form
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(text).atZone(zone).toInstant();
        } catch (DateTimeException ignored) {
            // next form
        }
        try {
            return LocalDate.parse(text).atStartOfDay(zone).toInstant();
        } catch (DateTimeException e) {
            throw new BadParameterException(name, "expected a time such as 2026-11-24, 2026-11-24T08:00 or "
                    + "2026-11-24T08:00:00+08:00, got \"" + abbreviate(text) + "\"");
        }
    }

    /** from and to, with to after from and the range at most {@code max}. */
    public Instant[] range(Duration max) {
        Instant from = time("from");
        Instant to = time("to");
        return checkRange(from, to, max);
    }

    public static Instant[] checkRange(Instant from, Instant to, Duration max) {
        if (!to.isAfter(from)) {
            throw new BadParameterException("to", "must be after from");
        }
        if (Duration.between(from, to).compareTo(max) > 0) {
            throw new BadParameterException("to", "range longer than " + max.toDays() + " days");
        }
        return new Instant[] {from, to};
    }

    public Step step(String name, Step fallback) {
        Optional<String> s = text(name);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            return Step.parse(s.get());
        } catch (IllegalArgumentException e) {
            throw new BadParameterException(name, "expected 1h, 1d or 1mo, got \"" + abbreviate(s.get()) + "\"");
        }
    }

    public int integer(String name, int fallback, int min, int max) {
        Optional<String> s = text(name);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(s.get().strip());
            if (v < min || v > max) {
                throw new BadParameterException(name, "must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadParameterException(name, "expected a whole number, got \"" + abbreviate(s.get()) + "\"");
        }
    }

    /** 500ms, 30s, 15m, 1h or 2d. */
    /** A calendar month {@code 2026-11}, or the fallback when absent. */
    public YearMonth month(String name, YearMonth fallback) {
        Optional<String> v = text(name);
        if (v.isEmpty()) {
            return fallback;
        }
        return parseMonth(name, v.get());
    }

    public static YearMonth parseMonth(String name, String text) {
        try {
            return YearMonth.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new BadParameterException(name, "expected a month such as 2026-11, got \"" + text + "\"");
        }
    }

    public Duration duration(String name, Duration fallback) {
        Optional<String> s = text(name);
        if (s.isEmpty()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(s.get().strip());
        if (!m.matches()) {
            throw new BadParameterException(name, "expected a duration such as 15m, 1h or 1d, got \""
                    + abbreviate(s.get()) + "\"");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The raw query again, for the audit trail. */
    public String describe() {
        return describeWithout(null);
    }

    /** As {@link #describe()}, leaving out one parameter (one the audit row keeps in a column of its own). */
    public String describeWithout(String left) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> {
            if (!k.equals(left)) sb.append(sb.length() == 0 ? "" : "&").append(k).append('=').append(v);
        });
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
