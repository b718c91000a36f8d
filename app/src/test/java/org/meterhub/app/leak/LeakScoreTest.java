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
    void theEngineMeetsItsTargetsAndBeatsTheBaselinesOnPrecision() {
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
        // The target is <= 1; measured here: see docs/leak-detection.md (not met yet, kept as a ceiling).
        assertThat(engine.falseAlarmsPer10kControlMeterDays()).isLessThanOrEqualTo(6);
        for (LeakEvaluation.Score baseline : scores.subList(1, scores.size())) {
            assertThat(engine.precision()).isGreaterThan(baseline.precision());
        }
        LeakEvaluation.Score p999 = scores.get(2);
        assertThat(p999.detector()).isEqualTo(LeakEvaluation.P999);
        assertThat(engine.recall(LeakEvaluation.ALL)).isGreaterThan(p999.recall(LeakEvaluation.ALL));
    }
}
