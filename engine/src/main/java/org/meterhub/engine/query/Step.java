package org.meterhub.engine.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The width of a consumption bucket, in the words of TimescaleDB's {@code time_bucket}.
 *
 * <p>Hours are whole hours of the timeline (in a zone whose offset is a whole number of hours,
 * such as Asia/Shanghai, these are also the local whole hours). Days and months are calendar
 * days and months in the utility's zone, starting at local midnight; their length follows
 * the zone's rules (a daylight-saving day has 23 or 25 hours).
 */
public enum Step {
    HOUR("1h"),
    DAY("1d"),
    MONTH("1mo");

    private final String label;

    Step(String label) {
        this.label = label;
    }

    /** The short form: 1h, 1d or 1mo. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * Parses {@code 1h}, {@code 1d} or {@code 1mo} (or the names hour, day, month), ignoring case
     * and surrounding blanks.
     *
     * @throws IllegalArgumentException for anything else, naming the accepted forms
     */
    public static Step parse(String text) {
        if (text != null) {
            String s = text.strip().toLowerCase(Locale.ROOT);
            for (Step step : values()) {
                if (step.label.equals(s) || step.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return step;
                }
            }
        }
        throw new IllegalArgumentException("unknown step '" + text + "': expected one of "
                + Arrays.stream(values()).map(Step::label).collect(Collectors.joining(", ")));
    }

    /** Start of the bucket that contains {@code t}. */
    public Instant floor(Instant t, ZoneId zone) {
        return switch (this) {
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS);
            case DAY -> t.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
            case MONTH -> t.atZone(zone).toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
        };
    }

    /** Start of the bucket after the one that starts at {@code bucketStart} (a {@link #floor} value). */
    public Instant next(Instant bucketStart, ZoneId zone) {
        return switch (this) {
            case HOUR -> bucketStart.plus(1, ChronoUnit.HOURS);
            case DAY -> localDate(bucketStart, zone).plusDays(1).atStartOfDay(zone).toInstant();
            case MONTH -> localDate(bucketStart, zone).withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant();
        };
    }

    private static LocalDate localDate(Instant t, ZoneId zone) {
        return t.atZone(zone).toLocalDate();
    }
}
