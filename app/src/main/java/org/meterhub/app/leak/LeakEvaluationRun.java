package org.meterhub.app.leak;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.meterhub.app.config.CliArgs;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.leak.LeakEvaluation;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.MeterClass;
import org.meterhub.simulators.usage.LeakScenarioFleet;

/** Feeds an evaluation from the simulator or a store, and prints its table. */
public final class LeakEvaluationRun {
    private LeakEvaluationRun() {
    }

    public static List<LeakEvaluation.Truth> truthOf(LeakScenarioFleet fleet) {
        return fleet.leaks().stream().map(l -> new LeakEvaluation.Truth(l.meterId(), l.start(), l.end(),
                OptionalLong.of(l.rateMlph()))).toList();
    }

    /** The simulated fleet through the engine and the baselines, one meter after another. */
    public static LeakEvaluation simulate(LeakScenarioFleet fleet, LeakProfile.Settings settings) {
        Map<String, MeterClass> classes = new HashMap<>();
        for (int m = 0; m < fleet.settings().meters(); m++) {
            classes.put(fleet.meterId(m), fleet.gas(m) ? MeterClass.householdGas() : MeterClass.householdWater());
        }
        LeakEvaluation eval = new LeakEvaluation(settings, fleet.settings().zone(), classes::get,
                fleet.settings().warmupDays());
        for (int m = 0; m < fleet.settings().meters(); m++) fleet.generate(m, eval::reading);
        eval.finish();
        return eval;
    }

    /** Every meter's readings in the store, in time order per meter; the class from the meter's medium or its record's type. */
    public static LeakEvaluation fromStore(String url, LeakProfile.Settings settings, ZoneId zone) {
        TimeSeriesStore db = CliArgs.store(url);
        try (db) {
            Map<String, MeterClass> classes = new HashMap<>();
            List<MeterInfo> meters = db.meters();
            for (MeterInfo m : meters) {
                MeterClass c = m.medium() == Medium.WATER ? MeterClass.householdWater()
                        : m.medium() == Medium.GAS ? IngestRules.residentialGas()
                        : new MeterClass("heat", Medium.HEAT, 2_500, 0, new java.math.BigDecimal("2"), false, false);
                // A meter whose record names a class of the YAML (e.g. DN20) is scored with that class's settings.
                Optional<MeterProfile> profile = db.profile(m.meterId());
                String named = settings.classNamed(profile.map(MeterProfile::meterType).orElse(null));
                if (named != null) {
                    long qmax = profile.map(MeterProfile::qmaxLph).orElse(c.qmaxLph());
                    c = new MeterClass(named, c.medium(), qmax, c.medium() == Medium.WATER ? qmax * 4 / 5 : 0,
                            c.accuracyPercent(), false, c.valveEquipped());
                }
                classes.put(m.meterId(), c);
            }
            LeakEvaluation eval = new LeakEvaluation(settings, zone, id -> classes.getOrDefault(id, IngestRules.residentialGas()), 21);
            for (MeterInfo m : meters) {
                for (Reading r : db.readings(m.meterId(), Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"))) {
                    eval.reading(r.meterId(), r.time().toEpochMilli(), r.volumeL());
                }
            }
            eval.finish();
            return eval;
        }
    }

    /** With water's bands and targets. */
    public static void print(PrintWriter out, String source, LeakEvaluation eval, List<LeakEvaluation.Truth> truth,
                             Duration grace) {
        print(out, source, eval, truth, grace, LeakEvaluation.WATER);
    }

    public static void print(PrintWriter out, String source, LeakEvaluation eval, List<LeakEvaluation.Truth> truth,
                             Duration grace, LeakEvaluation.Bands bandsOf) {
        String target = bandsOf.target();
        List<LeakEvaluation.Score> all = eval.score(truth, grace, bandsOf);
        LeakEvaluation.Score engine = all.get(0);
        LeakEvaluation.Score nz24 = find(all, LeakEvaluation.NO_ZERO_HOUR);
        LeakEvaluation.Score p999 = find(all, LeakEvaluation.P999);
        LeakEvaluation.Score tuned = LeakEvaluation.noZeroHourAtPrecision(all, engine.precision());
        List<LeakEvaluation.Score> scores = tuned == nz24 ? List.of(engine, nz24, p999) : List.of(engine, nz24, tuned, p999);
        out.printf("leak evaluation: %s%n", source);
        out.printf("%d readings, %.0f meter-days, %d labelled leaks; an alarm counts if raised from a leak's start to %d h after its end%n%n",
                eval.readings(), eval.meterDays(), truth.size(), grace.toHours());
        List<String> order = new java.util.ArrayList<>(List.of(LeakEvaluation.ALL, target));
        order.addAll(bandsOf.labels());
        order.addAll(List.of("rate unknown", "lasting < 24 h", "lasting 24-48 h", "lasting >= 48 h"));
        List<String> bands = engine.foundByBand().keySet().stream().sorted(java.util.Comparator.comparingInt(order::indexOf))
                .toList();
        out.printf("%-30s", "recall");
        for (LeakEvaluation.Score s : scores) out.printf(" | %-28s", s.detector());
        out.println();
        for (String b : bands) {
            int[] n = engine.foundByBand().get(b);
            out.printf("%-30s", "  " + b + " (" + n[1] + ")");
            for (LeakEvaluation.Score s : scores) {
                int[] fc = s.foundByBand().get(b);
                out.printf(" | %-28s", String.format("%5.1f %% (%d)", 100.0 * fc[0] / fc[1], fc[0]));
            }
            out.println();
        }
        row(out, "alarms (true)", scores, s -> s.alarms() + " (" + s.trueAlarms() + ")");
        row(out, "precision", scores, s -> pct(s.precision()));
        row(out, "false alarms / 10k meter-days", scores, s -> String.format("%.2f", s.falseAlarmsPer10kMeterDays()));
        row(out, "  on leak-free households", scores, s -> String.format("%.2f", s.falseAlarmsPer10kControlMeterDays()));
        row(out, "false alarms by kind", scores, s -> s.falseByKind().toString());
        row(out, "median hours to detect", scores, s -> String.format("%.1f (target band), %.1f (all)",
                s.medianHoursToDetectTarget(), s.medianHoursToDetectAll()));
        out.println();
        out.println("\"no zero hour\" baseline by window (the same run): window, alarms, precision, recall target band / all,"
                + " false alarms per 10k leak-free meter-days, median hours to detect (target band)");
        for (int w : LeakEvaluation.NO_ZERO_WINDOWS) {
            LeakEvaluation.Score s = find(all, LeakEvaluation.noZeroHour(w));
            out.printf("  %4d h  %6d  %7s  %7s / %7s  %8.2f  %6.1f%n", w, s.alarms(), pct(s.precision()),
                    pct(s.recall(target)), pct(s.recall(LeakEvaluation.ALL)),
                    s.falseAlarmsPer10kControlMeterDays(), s.medianHoursToDetectTarget());
        }
        boolean reached = tuned.precision() >= engine.precision();
        out.printf("at the engine's precision (%s): %s%n", pct(engine.precision()), reached
                ? String.format("%s has recall %s (target band), %s (all) at precision %s; the engine %s, %s",
                        tuned.detector(), pct(tuned.recall(target)), pct(tuned.recall(LeakEvaluation.ALL)),
                        pct(tuned.precision()), pct(engine.recall(target)), pct(engine.recall(LeakEvaluation.ALL)))
                : String.format("no window reaches it; the most precise, %s, has %s", tuned.detector(), pct(tuned.precision())));
        out.println();
        for (LeakEvaluation.Score s : List.of(nz24, p999)) {
            boolean recall = engine.recall(target) > s.recall(target);
            boolean recallAll = engine.recall(LeakEvaluation.ALL) > s.recall(LeakEvaluation.ALL);
            boolean precision = engine.precision() >= s.precision() || Double.isNaN(s.precision());
            out.printf("engine vs %s: recall %s (target band), %s (all); precision %s%n", s.detector(),
                    recall ? "higher" : "NOT higher", recallAll ? "higher" : "NOT higher",
                    precision ? "equal or better" : "WORSE");
        }
        if (reached) {
            boolean recall = engine.recall(target) > tuned.recall(target);
            boolean recallAll = engine.recall(LeakEvaluation.ALL) > tuned.recall(LeakEvaluation.ALL);
            out.printf("engine vs \"no zero hour\" at equal or better precision (%s): recall %s (target band), %s (all)%n",
                    tuned.detector(), recall ? "higher" : "NOT higher", recallAll ? "higher" : "NOT higher");
        }
        out.printf("targets (%s): recall %s >= 90 %%, precision %s >= 80 %%, false alarms on leak-free households %s <= 1"
                        + " per 10k meter-days, median detection %s <= %.0f h%n", target,
                pct(engine.recall(target)), pct(engine.precision()),
                String.format("%.2f", engine.falseAlarmsPer10kControlMeterDays()),
                String.format("%.1f h", engine.medianHoursToDetectTarget()), bandsOf.targetMedianHours());
    }

    static LeakEvaluation.Score find(List<LeakEvaluation.Score> scores, String detector) {
        return scores.stream().filter(s -> s.detector().equals(detector)).findFirst().orElseThrow();
    }

    private static String pct(double x) {
        return Double.isNaN(x) ? "-" : String.format("%.1f %%", 100 * x);
    }

    private static void row(PrintWriter out, String name, List<LeakEvaluation.Score> scores,
                            java.util.function.Function<LeakEvaluation.Score, String> f) {
        out.printf("%-30s", name);
        for (LeakEvaluation.Score s : scores) out.printf(" | %-28s", f.apply(s));
        out.println();
    }

}
