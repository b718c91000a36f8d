package org.meterhub.engine.ingest;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.meterhub.engine.alarm.AlarmDeadlines;
import org.meterhub.engine.alarm.AlarmRepository;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.alarm.InMemoryAlarmRepository;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.consumption.CorrectionRepository;
import org.meterhub.engine.consumption.IntervalLedger;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.evc.EvcCheck;
import org.meterhub.engine.evc.EvcRepository;
import org.meterhub.engine.evc.InMemoryEvcRepository;
import org.meterhub.engine.evc.JdbcEvcRepository;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.InMemoryValveDecisionLog;
import org.meterhub.engine.leak.JdbcValveDecisionLog;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.leak.LeakResponder;
import org.meterhub.engine.leak.ValveCommander;
import org.meterhub.engine.leak.ValveDecisionLog;
import org.meterhub.engine.leak.ValvePolicy;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.vee.InMemoryValidationRepository;
import org.meterhub.engine.vee.JdbcValidationRepository;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.engine.vee.ValidationRepository;
import org.meterhub.engine.vee.VeeSettings;

/**
 * What the ingest pipeline does with each reading besides consumption: validation settings, leak
 * thresholds, the default meter class, and where flags, corrections, alarms and valve decisions
 * go. Built in memory (tests, tools, the MQTT intake's per-batch pipelines) or on the store's
 * database ({@link #onDatabase}), which the pipeline then closes with itself.
 */
public final class IngestRules implements AutoCloseable {

    /**
     * Residential G1.6 gas meter: Qmax 2.5 m³/h, class 1.5, no remotely closable valve known.
     * Used for meters whose record names no Qmax.
     */
    public static MeterClass residentialGas() {
        return new MeterClass("G1.6", Medium.GAS, 2_500, 0, new BigDecimal("1.5"), false, false);
    }

    /** Valve commands need the command path (IC-card / MQTT meters); without one every close fails, recorded. */
    public static ValveCommander noValveCommands() {
        return (meterId, reason) -> CompletableFuture.failedFuture(
                new IllegalStateException("no valve command path is configured"));
    }

    /**
     * What a deployment sets (the gateway YAML's {@code zone}, {@code leak} and {@code valve} sections):
     * leak thresholds per medium and class, the utility's zone (night windows, days; daylight saving
     * allowed), and which alarm kinds may close a valve.
     */
    public record Options(VeeSettings vee, LeakProfile.Settings leaks, ZoneId zone, ValvePolicy valves,
                          EvcCheck.Settings evc, AlarmDeadlines deadlines, Duration maxBackfill, boolean leakDetection) {
        /** Late hours are re-judged by the leak detectors up to this far behind a meter's newest hour (as the gateway's {@code max-backfill}). */
        public static final Duration DEFAULT_MAX_BACKFILL = Duration.ofDays(7);

        public Options {
            Objects.requireNonNull(vee, "vee");
            Objects.requireNonNull(leaks, "leaks");
            Objects.requireNonNull(zone, "zone");
            Objects.requireNonNull(valves, "valves");
            Objects.requireNonNull(evc, "evc");
            Objects.requireNonNull(deadlines, "deadlines");
            Objects.requireNonNull(maxBackfill, "maxBackfill");
            if (maxBackfill.isNegative()) throw new IllegalArgumentException("max-backfill: expected 0 or more, got " + maxBackfill);
        }

        /** With the leak detectors on (the gateway YAML's {@code leak.enabled}, default true). */
        public Options(VeeSettings vee, LeakProfile.Settings leaks, ZoneId zone, ValvePolicy valves, EvcCheck.Settings evc,
                       AlarmDeadlines deadlines, Duration maxBackfill) {
            this(vee, leaks, zone, valves, evc, deadlines, maxBackfill, true);
        }

        /** With the default max-backfill (7 days). */
        public Options(VeeSettings vee, LeakProfile.Settings leaks, ZoneId zone, ValvePolicy valves, EvcCheck.Settings evc,
                       AlarmDeadlines deadlines) {
            this(vee, leaks, zone, valves, evc, deadlines, DEFAULT_MAX_BACKFILL);
        }

        /** With the domain rules' alarm deadlines. */
        public Options(VeeSettings vee, LeakProfile.Settings leaks, ZoneId zone, ValvePolicy valves, EvcCheck.Settings evc) {
            this(vee, leaks, zone, valves, evc, AlarmDeadlines.defaults());
        }

        public static Options defaults() {
            return new Options(VeeSettings.defaults(), LeakProfile.Settings.defaults(), ConsumptionQuery.DEFAULT_ZONE,
                    ValvePolicy.defaults(), EvcCheck.Settings.defaults());
        }

        public Options withZone(ZoneId z) {
            return new Options(vee, leaks, z, valves, evc, deadlines, maxBackfill, leakDetection);
        }

        public Options withEvc(EvcCheck.Settings e) {
            return new Options(vee, leaks, zone, valves, e, deadlines, maxBackfill, leakDetection);
        }

        /** The alarm response times (settings; docs/alarms.md). */
        public Options withDeadlines(AlarmDeadlines d) {
            return new Options(vee, leaks, zone, valves, evc, d, maxBackfill, leakDetection);
        }

        /**
         * How far behind a meter's newest hour late hours are still judged by the leak detectors (a day that
         * arrives after the next one); older ones are only corrected. 0 turns re-judging off.
         */
        public Options withMaxBackfill(Duration d) {
            return new Options(vee, leaks, zone, valves, evc, deadlines, d, leakDetection);
        }

        /**
         * Whether the ingest pipeline runs the leak detectors (continuous flow, night flow, floor rise, burst, hour
         * floor) on each meter's hours, and judges late hours again. Off: no leak alarm is raised by ingest and no
         * valve is closed for one; validation, consumption, corrections, converter checks and meter-fault alarms
         * (a valve fault included) are unchanged. For a deployment that detects leaks elsewhere, and to measure what
         * the detectors cost on the ingest path (benchmarks' {@code IngestLeakCost}).
         */
        public Options withLeakDetection(boolean on) {
            return new Options(vee, leaks, zone, valves, evc, deadlines, maxBackfill, on);
        }
    }

    private final VeeSettings vee;
    private final LeakProfile.Settings leaks;
    private final ZoneId zone;
    private final MeterClass defaultGas;
    private final ValidationRepository flags;
    private final CorrectionRepository corrections;
    private final AlarmService alarms;
    private final ValveDecisionLog valveLog;
    private final LeakResponder responder;
    private final Clock clock;
    private final EvcCheck.Settings evc;
    private final EvcRepository evcSamples;
    private final SqlDatabase owned;
    private Duration maxBackfill = Options.DEFAULT_MAX_BACKFILL;
    private boolean leakDetection = true;
    /** Failed polls as recorded read attempts; none for in-memory rules. */
    private org.meterhub.engine.attempt.ReadAttemptLog attempts;

    private IngestRules(VeeSettings vee, LeakProfile.Settings leaks, ZoneId zone, MeterClass defaultGas,
                        ValidationRepository flags, CorrectionRepository corrections, AlarmRepository alarmRepository,
                        ValveDecisionLog valveLog, AlarmDeadlines deadlines, AlarmSink sink, ValvePolicy policy,
                        ValveCommander commander, Clock clock, EvcCheck.Settings evc, EvcRepository evcSamples,
                        SqlDatabase owned) {
        this.vee = Objects.requireNonNull(vee, "vee");
        this.leaks = Objects.requireNonNull(leaks, "leaks");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.defaultGas = Objects.requireNonNull(defaultGas, "defaultGas");
        this.flags = flags;
        this.corrections = corrections;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.alarms = new AlarmService(alarmRepository, deadlines, sink, clock);
        this.valveLog = valveLog;
        this.responder = new LeakResponder(alarms, policy, commander, valveLog, clock);
        this.evc = Objects.requireNonNull(evc, "evc");
        this.evcSamples = Objects.requireNonNull(evcSamples, "evcSamples");
        this.owned = owned;
    }

    /** Flags an in-memory pipeline keeps (the latest; older ones are forgotten). */
    public static final int IN_MEMORY_FLAGS = 10_000;

    /** Defaults, records in memory (flags bounded to the latest {@value #IN_MEMORY_FLAGS}). */
    public static IngestRules inMemory(AlarmSink sink) {
        return inMemory(sink, Clock.systemUTC());
    }

    /**
     * As {@link #inMemory(AlarmSink)}, with the clock that alarm deadlines, acknowledgements and
     * valve decisions are timed by. Alarms are raised when the rules see them, by this clock (the
     * reading's time is kept as the alarm's observed time), so a source that runs on simulated
     * time (the demo) must pass its clock here, or deadlines would run from the wall clock.
     */
    public static IngestRules inMemory(AlarmSink sink, Clock clock) {
        return inMemory(sink, clock, Options.defaults());
    }

    /** As {@link #inMemory(AlarmSink, Clock)} with the deployment's settings (leak thresholds, zone, valves, converters). */
    public static IngestRules inMemory(AlarmSink sink, Clock clock, Options o) {
        return withBackfill(o, new IngestRules(o.vee(), o.leaks(), o.zone(),
                residentialGas(), new InMemoryValidationRepository(IN_MEMORY_FLAGS), new IntervalLedger(), new InMemoryAlarmRepository(),
                new InMemoryValveDecisionLog(), o.deadlines(), sink, o.valves(),
                noValveCommands(), clock, o.evc(), new InMemoryEvcRepository(IN_MEMORY_EVC_SAMPLES), null));
    }

    private static IngestRules withBackfill(Options o, IngestRules rules) {
        rules.maxBackfill = o.maxBackfill();
        rules.leakDetection = o.leakDetection();
        return rules;
    }

    /** Converter samples an in-memory pipeline keeps per meter (the latest). */
    public static final int IN_MEMORY_EVC_SAMPLES = 1_000;

    /** Defaults, records in the given database (not closed by these rules). */
    public static IngestRules onDatabase(SqlDatabase db, AlarmSink sink, ValveCommander commander) {
        return onDatabase(db, sink, commander, null);
    }

    /**
     * Defaults, records in the store at {@code storeUrl} (its own connection, closed with these
     * rules); in memory when the URL is a private in-memory SQLite database.
     */
    public static IngestRules forStore(String storeUrl, AlarmSink sink) {
        return forStore(storeUrl, sink, Clock.systemUTC());
    }

    /** As {@link #forStore(String, AlarmSink)}, timed by {@code clock} (see {@link #inMemory(AlarmSink, Clock)}). */
    public static IngestRules forStore(String storeUrl, AlarmSink sink, Clock clock) {
        return forStore(storeUrl, sink, clock, Options.defaults());
    }

    /** As {@link #forStore(String, AlarmSink, Clock)} with the deployment's settings (the gateway file's sections). */
    public static IngestRules forStore(String storeUrl, AlarmSink sink, Clock clock, Options options) {
        if (SqlDatabase.isPrivateMemory(storeUrl)) return inMemory(sink, clock, options);
        SqlDatabase db = SqlDatabase.open(storeUrl);
        return onDatabase(db, sink, noValveCommands(), db, clock, options);
    }

    private static IngestRules onDatabase(SqlDatabase db, AlarmSink sink, ValveCommander commander, SqlDatabase owned) {
        return onDatabase(db, sink, commander, owned, Clock.systemUTC(), Options.defaults());
    }

    private static IngestRules onDatabase(SqlDatabase db, AlarmSink sink, ValveCommander commander, SqlDatabase owned,
                                          Clock clock, Options o) {
        IngestRules rules = new IngestRules(o.vee(), o.leaks(), o.zone(),
                residentialGas(), new JdbcValidationRepository(db), new JdbcCorrectionRepository(db),
                new JdbcAlarmRepository(db), new JdbcValveDecisionLog(db), o.deadlines(), sink,
                o.valves(), commander, clock, o.evc(), new JdbcEvcRepository(db), owned);
        rules.attempts = new org.meterhub.engine.attempt.JdbcReadAttempts(db);
        return withBackfill(o, rules);
    }

    /** Where failed polls are recorded as read attempts (the store's database); empty for in-memory rules. */
    public java.util.Optional<org.meterhub.engine.attempt.ReadAttemptLog> readAttempts() {
        return java.util.Optional.ofNullable(attempts);
    }

    public VeeSettings vee() {
        return vee;
    }

    public LeakProfile.Settings leaks() {
        return leaks;
    }

    /** The utility's zone: night windows are in its local time (daylight saving included). */
    public ZoneId zone() {
        return zone;
    }

    /** The class of gas meters whose record has no Qmax. */
    public MeterClass defaultGas() {
        return defaultGas;
    }

    public ValidationRepository flags() {
        return flags;
    }

    public CorrectionRepository corrections() {
        return corrections;
    }

    public AlarmService alarms() {
        return alarms;
    }

    public ValveDecisionLog valveLog() {
        return valveLog;
    }

    public LeakResponder responder() {
        return responder;
    }

    public Clock clock() {
        return clock;
    }

    /** How far behind a meter's newest hour late hours are re-judged by the leak detectors ({@link Options#withMaxBackfill}). */
    public Duration maxBackfill() {
        return maxBackfill;
    }

    /** Whether ingest runs the leak detectors ({@link Options#withLeakDetection}); true unless the settings turn them off. */
    public boolean leakDetection() {
        return leakDetection;
    }

    /** Base conditions, tolerance and window of the electronic volume converter check. */
    public EvcCheck.Settings evc() {
        return evc;
    }

    /** Where converter samples (Vm, p, T of each converter reading) go. */
    public EvcRepository evcSamples() {
        return evcSamples;
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
