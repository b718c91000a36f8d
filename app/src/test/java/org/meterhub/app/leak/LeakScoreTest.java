package org.meterhub.app.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.leak.LeakEvaluation;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.simulators.usage.LeakScenarioFleet;

/**
 * The scored evaluation on a modest simulated fleet (fixed seed): the scores are computed from the
 * alarms the engine raises, never given. The seed differs from the one the defaults were tuned on.
 */
class LeakScoreTest {

    @Test
    void theEngineMeetsItsTargetsAndBeatsTheBaselinesAtEqualPrecision() {
        LeakScenarioFleet fleet = new LeakScenarioFleet(new LeakScenarioFleet.Settings(600, 150, 424242L,
                Instant.parse("2025-09-01T00:00:00Z"), ZoneId.of("Europe/Athens"), 21, 0.3, 0.2, 0.1));
        LeakEvaluation eval = LeakEvaluationRun.simulate(fleet, LeakProfile.Settings.defaults());
        List<LeakEvaluation.Score> scores = eval.score(LeakEvaluationRun.truthOf(fleet), Duration.ofHours(12));
        java.io.StringWriter text = new java.io.StringWriter();
        LeakEvaluationRun.print(new java.io.PrintWriter(text), "test fleet", eval, LeakEvaluationRun.truthOf(fleet),
                Duration.ofHours(12));
        System.out.println(text);
        LeakEvaluation.Score engine = scores.get(0);
        assertThat(engine.detector()).isEqualTo(LeakEvaluation.ENGINE);
        assertThat(engine.foundByBand().get(LeakEvaluation.TARGET)[1]).isGreaterThan(50); // enough leaks to judge
        assertThat(engine.recall(LeakEvaluation.TARGET)).isGreaterThanOrEqualTo(0.90);
        assertThat(engine.precision()).isGreaterThanOrEqualTo(0.80);
        assertThat(engine.medianHoursToDetectTarget()).isLessThanOrEqualTo(36);
        assertThat(engine.falseAlarmsPer10kControlMeterDays()).isLessThanOrEqualTo(1.0);
        // The baselines in the same run: more precise than the stated rules, and more recall than the "no zero hour"
        // rule tuned (its window) to at least the engine's precision.
        LeakEvaluation.Score noZero24 = scores.stream().filter(s -> s.detector().equals(LeakEvaluation.NO_ZERO_HOUR))
                .findFirst().orElseThrow();
        LeakEvaluation.Score p999 = scores.stream().filter(s -> s.detector().equals(LeakEvaluation.P999))
                .findFirst().orElseThrow();
        assertThat(engine.precision()).isGreaterThan(noZero24.precision()).isGreaterThan(p999.precision());
        assertThat(engine.recall(LeakEvaluation.TARGET)).isGreaterThan(p999.recall(LeakEvaluation.TARGET));
        assertThat(engine.recall(LeakEvaluation.ALL)).isGreaterThan(p999.recall(LeakEvaluation.ALL));
        LeakEvaluation.Score tuned = LeakEvaluation.noZeroHourAtPrecision(scores, engine.precision());
        assertThat(tuned.precision()).isGreaterThanOrEqualTo(engine.precision());
        assertThat(engine.recall(LeakEvaluation.TARGET)).isGreaterThan(tuned.recall(LeakEvaluation.TARGET));
        assertThat(engine.recall(LeakEvaluation.ALL)).isGreaterThan(tuned.recall(LeakEvaluation.ALL));
    }

    /**
     * Gas households (cooking, hot water, 60 % with a winter boiler) with gas leaks of 10-200 L/h, through the same
     * path, scored in gas bands, on a small seeded fleet that runs into the heating season: precision, false alarms
     * and time to detect at the gas targets of docs/leak-detection.md; recall at least 90 % in the target band where
     * no heating boiler runs (cooking households; boiler households' leaks starting April-October), and over the
     * whole band at least the documented floor (the 90 % is not met there: a leak under a boiler's winter
     * nights is not found).
     */
    @Test
    void gasLeaksAreFoundAtTheDocumentedGasTargets() {
        LeakScenarioFleet fleet = new LeakScenarioFleet(LeakEvaluateCommand.gasFleet(400, 150, 424242L,
                Instant.parse("2025-09-01T00:00:00Z"), ZoneId.of("Europe/Athens")));
        LeakEvaluation eval = LeakEvaluationRun.simulate(fleet, LeakProfile.Settings.defaults());
        List<LeakEvaluation.Truth> truth = LeakEvaluationRun.truthOf(fleet);
        List<LeakEvaluation.Score> scores = eval.score(truth, Duration.ofHours(12), LeakEvaluation.GAS);
        java.io.StringWriter text = new java.io.StringWriter();
        LeakEvaluationRun.print(new java.io.PrintWriter(text), "gas test fleet", eval, truth, Duration.ofHours(12),
                LeakEvaluation.GAS);
        System.out.println(text);
        LeakEvaluation.Score engine = scores.get(0);
        String target = LeakEvaluation.GAS.target();
        assertThat(engine.foundByBand().get(target)[1]).isGreaterThan(30); // enough leaks to judge
        assertThat(engine.precision()).isGreaterThanOrEqualTo(0.80);
        assertThat(engine.falseAlarmsPer10kControlMeterDays()).isLessThanOrEqualTo(1.0);
        assertThat(engine.medianHoursToDetectTarget()).isLessThanOrEqualTo(LeakEvaluation.GAS.targetMedianHours());
        assertThat(engine.recall(target)).isGreaterThanOrEqualTo(GAS_RECALL_FLOOR);
        LeakEvaluation.Score noZero24 = scores.stream().filter(s -> s.detector().equals(LeakEvaluation.NO_ZERO_HOUR))
                .findFirst().orElseThrow();
        assertThat(engine.precision()).isGreaterThan(noZero24.precision());

        // Where no heating boiler runs, the gas recall target itself.
        ZoneId zone = fleet.settings().zone();
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int m = 0; m < fleet.settings().meters(); m++) index.put(fleet.meterId(m), m);
        List<LeakEvaluation.Truth> noBoiler = truth.stream().filter(t -> {
            int month = t.start().atZone(zone).getMonthValue();
            boolean heating = month >= 11 || month <= 3;
            return fleet.household(index.get(t.meterId())) == LeakScenarioFleet.Household.GAS_COOKING || !heating;
        }).toList();
        LeakEvaluation.Score quiet = eval.score(noBoiler, Duration.ofHours(12), LeakEvaluation.GAS).get(0);
        assertThat(quiet.foundByBand().get(target)[1]).isGreaterThan(20);
        assertThat(quiet.recall(target)).isGreaterThanOrEqualTo(0.90);
    }

    /** Gas target-band recall over all households: the documented floor (docs/leak-detection.md, "Gas leaks, scored"). */
    private static final double GAS_RECALL_FLOOR = 0.45;
}
