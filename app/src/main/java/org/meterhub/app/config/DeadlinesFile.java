package org.meterhub.app.config;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.meterhub.engine.accuracy.DisputeDeadlines;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.Milestone;
import org.meterhub.engine.calendar.TimeLimit;
import org.meterhub.engine.calendar.WorkingDays;
import org.meterhub.engine.meter.Medium;

/**
 * The response-time settings as a YAML file ({@code --deadlines FILE}; the gateway file's
 * {@code alarms.deadlines}); every field optional, defaults from the service regulations
 * (docs/alarms.md):
 * <pre>
 * alarms:
 *   unknown-medium: gas           # a subject the store has no medium for
 *   gas:  {leak: {acknowledge: 6h, resolve: 24h}, repair: {acknowledge: 6h, resolve: 24h}}
 *   heat: {leak: {on-site: 30m, resolve: 24h, follow-up: 48h},
 *          repair: {acknowledge: 30m, on-site: 2h, resolve: 24h, follow-up: 48h}}
 *   water: {}                      # "none" removes a deadline
 * disputes:
 *   initial-investigation: 24h
 *   answered: 3 working days
 * calendar:
 *   weekend: [saturday, sunday]
 *   years:
 *     2026:
 *       holidays: [2026-10-01, 2026-10-02]
 *       make-up-working-days: [2026-09-27, 2026-10-10]
 * </pre>
 * A milestone not written keeps its default.
 */
public record DeadlinesFile(AlarmRules alarms, DisputeSection disputes, CalendarSection calendar) {
    public DeadlinesFile {
        alarms = alarms != null ? alarms : new AlarmRules(null, null, null, null);
        disputes = disputes != null ? disputes : new DisputeSection(null, null);
        calendar = calendar != null ? calendar : new CalendarSection(null, null);
    }

    public static DeadlinesFile defaults() {
        return new DeadlinesFile(null, null, null);
    }

    /** The file, or the defaults when {@code file} is null; a bad value is a one-line error naming the field. */
    public static DeadlinesFile load(String file) {
        return file == null ? defaults() : new ConfigLoader().load(Path.of(file), DeadlinesFile.class);
    }

    public AlarmDeadlines alarmDeadlines() {
        return alarms.deadlines();
    }

    public DisputeDeadlines disputeDeadlines() {
        return disputes.deadlines();
    }

    /** The working-day calendar, its days in the utility's {@code zone}. */
    public WorkingDays workingDays(ZoneId zone) {
        return calendar.workingDays(zone);
    }

    /** Alarm response times per medium. */
    public record AlarmRules(MediumSection gas, MediumSection heat, MediumSection water, String unknownMedium) {
        public AlarmRules {
            unknownMedium = unknownMedium != null ? unknownMedium : "gas";
            medium("unknown-medium", unknownMedium);
        }

        AlarmDeadlines deadlines() {
            Map<Medium, Map<AlarmDeadlines.Response, Map<Milestone, Duration>>> rules = new EnumMap<>(Medium.class);
            Map<Medium, Map<AlarmDeadlines.Response, Map<Milestone, Duration>>> defaults = AlarmDeadlines.defaultRules();
            Map<Medium, MediumSection> given = new EnumMap<>(Medium.class);
            if (gas != null) given.put(Medium.GAS, gas);
            if (heat != null) given.put(Medium.HEAT, heat);
            if (water != null) given.put(Medium.WATER, water);
            for (Medium m : Medium.values()) {
                Map<AlarmDeadlines.Response, Map<Milestone, Duration>> d = defaults.getOrDefault(m, Map.of());
                MediumSection s = given.get(m);
                Map<AlarmDeadlines.Response, Map<Milestone, Duration>> r = new EnumMap<>(AlarmDeadlines.Response.class);
                r.put(AlarmDeadlines.Response.LEAK, merge(d.get(AlarmDeadlines.Response.LEAK), s == null ? null : s.leak()));
                r.put(AlarmDeadlines.Response.REPAIR, merge(d.get(AlarmDeadlines.Response.REPAIR), s == null ? null : s.repair()));
                rules.put(m, r);
            }
            return new AlarmDeadlines(rules, medium("unknown-medium", unknownMedium));
        }

        private static Map<Milestone, Duration> merge(Map<Milestone, Duration> defaults, ResponseSection given) {
            Map<Milestone, Duration> out = new EnumMap<>(Milestone.class);
            if (defaults != null) out.putAll(defaults);
            if (given != null) given.apply(out);
            return out;
        }

        private static Medium medium(String field, String text) {
            try {
                return Medium.valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": expected gas, water or heat, got \"" + text + "\"");
            }
        }
    }

    /** The two responses of a medium. */
    public record MediumSection(ResponseSection leak, ResponseSection repair) {
    }

    /** Each milestone's time from the raise: a duration such as 30m, 6h, 2d, or {@code none}. */
    public record ResponseSection(String acknowledge, String onSite, String resolve, String followUp) {
        public ResponseSection {
            parse("acknowledge", acknowledge);
            parse("on-site", onSite);
            parse("resolve", resolve);
            parse("follow-up", followUp);
        }

        void apply(Map<Milestone, Duration> out) {
            set(out, Milestone.ACKNOWLEDGE, acknowledge);
            set(out, Milestone.ON_SITE, onSite);
            set(out, Milestone.RESOLVE, resolve);
            set(out, Milestone.FOLLOW_UP, followUp);
        }

        private static void set(Map<Milestone, Duration> out, Milestone m, String text) {
            if (text == null) return;
            Duration d = parse(m.label(), text);
            if (d == null) out.remove(m);
            else out.put(m, d);
        }

        /** Null for "none". */
        private static Duration parse(String field, String text) {
            if (text == null || text.strip().equals("none")) return null;
            try {
                Duration d = Durations.parse(text);
                if (d.isZero()) throw new IllegalArgumentException("zero");
                return d;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": expected " + Durations.EXPECTED + " (not zero) or none, got \"" + text + "\"");
            }
        }
    }

    /** Complaint deadlines of accuracy disputes: a duration (24h) or working days (3 working days). */
    public record DisputeSection(String initialInvestigation, String answered) {
        public DisputeSection {
            limit("initial-investigation", initialInvestigation);
            limit("answered", answered);
        }

        DisputeDeadlines deadlines() {
            DisputeDeadlines d = DisputeDeadlines.defaults();
            return new DisputeDeadlines(
                    initialInvestigation == null ? d.initialInvestigation() : limit("initial-investigation", initialInvestigation),
                    answered == null ? d.answered() : limit("answered", answered));
        }

        private static TimeLimit limit(String field, String text) {
            if (text == null) return null;
            try {
                return TimeLimit.parse(text, Durations::parse);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": expected " + Durations.EXPECTED
                        + " or N working days, got \"" + text + "\"");
            }
        }
    }

    /** Weekend days and, per year, public holidays and make-up working days (YYYY-MM-DD). */
    public record CalendarSection(List<String> weekend, Map<String, YearSection> years) {
        public CalendarSection {
            weekend = weekend != null ? List.copyOf(weekend) : List.of("saturday", "sunday");
            years = years != null ? Map.copyOf(years) : Map.of();
            weekendDays(weekend);
            Set<LocalDate> holidays = new HashSet<>();
            for (var e : years.entrySet()) {
                if (!e.getKey().matches("\\d{4}")) {
                    throw new IllegalArgumentException("years: expected a year such as 2026, got \"" + e.getKey() + "\"");
                }
                holidays.addAll(e.getValue().holidays(Integer.parseInt(e.getKey())));
            }
            for (var e : years.entrySet()) {
                for (LocalDate d : e.getValue().makeUpDays(Integer.parseInt(e.getKey()))) {
                    if (holidays.contains(d)) {
                        throw new IllegalArgumentException("years: " + d + " is both a holiday and a make-up working day");
                    }
                }
            }
        }

        WorkingDays workingDays(ZoneId zone) {
            Set<LocalDate> holidays = new HashSet<>();
            Set<LocalDate> makeUp = new HashSet<>();
            years.forEach((year, y) -> {
                holidays.addAll(y.holidays(Integer.parseInt(year)));
                makeUp.addAll(y.makeUpDays(Integer.parseInt(year)));
            });
            return new WorkingDays(zone, weekendDays(weekend), holidays, makeUp);
        }

        private static Set<DayOfWeek> weekendDays(List<String> names) {
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (String n : names) {
                try {
                    days.add(DayOfWeek.valueOf(n.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("weekend: expected day names such as saturday, got \"" + n + "\"");
                }
            }
            return days;
        }
    }

    /** One year's changes to the weekly pattern. */
    public record YearSection(List<String> holidays, List<String> makeUpWorkingDays) {
        public YearSection {
            holidays = holidays != null ? List.copyOf(holidays) : List.of();
            makeUpWorkingDays = makeUpWorkingDays != null ? List.copyOf(makeUpWorkingDays) : List.of();
            dates("holidays", holidays, null);
            dates("make-up-working-days", makeUpWorkingDays, null);
        }

        Set<LocalDate> holidays(int year) {
            return dates("holidays", holidays, year);
        }

        Set<LocalDate> makeUpDays(int year) {
            return dates("make-up-working-days", makeUpWorkingDays, year);
        }

        private static Set<LocalDate> dates(String field, List<String> texts, Integer year) {
            Set<LocalDate> out = new HashSet<>();
            for (String t : texts) {
                LocalDate d;
                try {
                    d = LocalDate.parse(t.strip());
                } catch (DateTimeException e) {
                    throw new IllegalArgumentException(field + ": expected dates as YYYY-MM-DD, got \"" + t + "\"");
                }
                if (year != null && d.getYear() != year) {
                    throw new IllegalArgumentException("years: " + field + " of " + year + " lists " + d + ", a day of another year");
                }
                out.add(d);
            }
            return out;
        }
    }
}
