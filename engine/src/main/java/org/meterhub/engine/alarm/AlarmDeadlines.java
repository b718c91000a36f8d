package org.meterhub.engine.alarm;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;

/**
 * Response deadlines by the utility's medium and the kind of alarm, as the domain rules set them
 * (settings; these are the defaults). Durations run from when the utility learns of the event
 * ({@link Alarm#raisedAt()}), never from the meter's measurement time.
 *
 * <ul>
 * <li>gas, leak and repair: handled (acknowledged) within 6 h, repaired (resolved) within 24 h:
 *     the gas rule for a network fault, the only gas response time the seeds give;</li>
 * <li>heat, leak: someone on site within 30 min, done within 24 h, follow-up call within 48 h;</li>
 * <li>heat, repair: contact (acknowledged) within 30 min, on site within 2 h, done within 24 h,
 *     follow-up call within 48 h;</li>
 * <li>water: the rules give no alarm response times (its complaints are counted in working days).</li>
 * </ul>
 * A meter's tamper flag, low battery and data-quality findings fall under no rule: the fault
 * deadlines are for the network and its equipment, not for a meter's own notices.
 */
public final class AlarmDeadlines {

    /** Which response rule an alarm kind falls under. */
    public enum Response {
        /** A leak or burst: on site first. */
        LEAK,
        /** A fault of the network or its equipment: handled, then repaired. */
        REPAIR,
        /** A notice without a regulated response time. */
        NONE;

        public static Response of(AlarmKind kind) {
            return switch (kind) {
                case TAMPER, LOW_BATTERY, DATA_QUALITY -> NONE;
                default -> kind.category() == AlarmKind.Category.LEAK ? LEAK : REPAIR;
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One rule: its deadlines, each a duration from the raise.
     *
     * @param name e.g. {@code heat/leak}; stored with each alarm, so a report says which rule judged it
     */
    public record Rule(String name, Map<Milestone, Duration> within) {
        public static final Rule NONE = new Rule("none", Map.of());

        public Rule {
            Objects.requireNonNull(name, "name");
            EnumMap<Milestone, Duration> m = new EnumMap<>(Milestone.class);
            m.putAll(within);
            for (var e : m.entrySet()) {
                if (e.getValue().isNegative() || e.getValue().isZero()) {
                    throw new IllegalArgumentException(e.getKey().label() + ": expected a positive duration, got " + e.getValue());
                }
            }
            within = java.util.Collections.unmodifiableMap(m);
        }
    }

    private final Map<Medium, Map<Response, Map<Milestone, Duration>>> rules;
    private final Medium unknownMedium;

    /**
     * @param rules         per medium and response, the deadlines (absent: none)
     * @param unknownMedium the medium assumed for a subject whose medium the store does not know
     */
    public AlarmDeadlines(Map<Medium, Map<Response, Map<Milestone, Duration>>> rules, Medium unknownMedium) {
        Map<Medium, Map<Response, Map<Milestone, Duration>>> copy = new EnumMap<>(Medium.class);
        rules.forEach((medium, byResponse) -> {
            Map<Response, Map<Milestone, Duration>> r = new EnumMap<>(Response.class);
            byResponse.forEach((resp, within) -> r.put(resp, Map.copyOf(within)));
            copy.put(medium, r);
        });
        this.rules = copy;
        this.unknownMedium = Objects.requireNonNull(unknownMedium, "unknownMedium");
    }

    /** The domain rules' numbers (see the class comment). */
    public static AlarmDeadlines defaults() {
        return new AlarmDeadlines(defaultRules(), Medium.GAS);
    }

    public static Map<Medium, Map<Response, Map<Milestone, Duration>>> defaultRules() {
        Map<Milestone, Duration> gas = Map.of(Milestone.ACKNOWLEDGE, Duration.ofHours(6), Milestone.RESOLVE, Duration.ofHours(24));
        Map<Medium, Map<Response, Map<Milestone, Duration>>> m = new EnumMap<>(Medium.class);
        m.put(Medium.GAS, Map.of(Response.LEAK, gas, Response.REPAIR, gas));
        m.put(Medium.HEAT, Map.of(
                Response.LEAK, Map.of(Milestone.ON_SITE, Duration.ofMinutes(30), Milestone.RESOLVE, Duration.ofHours(24),
                        Milestone.FOLLOW_UP, Duration.ofHours(48)),
                Response.REPAIR, Map.of(Milestone.ACKNOWLEDGE, Duration.ofMinutes(30), Milestone.ON_SITE, Duration.ofHours(2),
                        Milestone.RESOLVE, Duration.ofHours(24), Milestone.FOLLOW_UP, Duration.ofHours(48))));
        m.put(Medium.WATER, Map.of());
        return m;
    }

    /** The rule for an alarm of this kind on a subject of this medium. */
    public Rule of(AlarmKind kind, Medium medium) {
        Response response = Response.of(kind);
        if (response == Response.NONE) return Rule.NONE;
        Map<Milestone, Duration> within = rules.getOrDefault(medium, Map.of()).getOrDefault(response, Map.of());
        if (within.isEmpty()) return Rule.NONE;
        return new Rule(medium.name().toLowerCase(Locale.ROOT) + "/" + response.label(), within);
    }

    /** The rule for a subject whose medium is not known (the assumed medium). */
    public Rule of(AlarmKind kind) {
        return of(kind, unknownMedium);
    }

    public Medium unknownMedium() {
        return unknownMedium;
    }
}
