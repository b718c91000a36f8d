package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;
import org.meterhub.engine.alarm.AlarmState;

/** Which episodes of a re-judged window are raised: only those the forward pass could not have raised. */
class LateEpisodesTest {
    private static final long H = 3_600_000L;
    private static final long LATE = 100 * H; // the first late hour

    private static LeakDetector.Event ev(LeakDetector.Phase phase, LeakKind kind, long atH, long sinceH) {
        return new LeakDetector.Event(phase, kind, atH * H, sinceH * H, 2_000, 10, 1, "test");
    }

    private static Alarm alarm(AlarmKind kind, long observedH) {
        return new Alarm(1, kind, "m", "d", OptionalLong.empty(), Instant.ofEpochMilli(observedH * H),
                Instant.ofEpochMilli(observedH * H), "none", Map.of(), AlarmState.RESOLVED, Map.of(), Optional.empty());
    }

    private static final LeakDetector.Event OLD_START = ev(LeakDetector.Phase.START, LeakKind.NIGHT_FLOW, 60, 40);
    private static final LeakDetector.Event OLD_END = ev(LeakDetector.Phase.END, LeakKind.NIGHT_FLOW, 80, 40);
    private static final LeakDetector.Event START = ev(LeakDetector.Phase.START, LeakKind.CONTINUOUS_FLOW, 124, 100);
    private static final LeakDetector.Event UPDATE = ev(LeakDetector.Phase.UPDATE, LeakKind.CONTINUOUS_FLOW, 148, 100);
    private static final LeakDetector.Event END = ev(LeakDetector.Phase.END, LeakKind.CONTINUOUS_FLOW, 150, 100);
    private static final LeakDetector.Event BURST = ev(LeakDetector.Phase.START, LeakKind.BURST, 130, 127);

    @Test
    void anEpisodeInTheLateHoursThatNoAlarmCoversIsRaisedWithItsSteps() {
        List<LeakDetector.Event> replay = List.of(OLD_START, OLD_END, START, BURST, UPDATE, END);
        assertThat(LateEpisodes.news(replay, LATE, List.of())).as("the episode over before the late hours stays the forward pass's")
                .containsExactly(START, BURST, UPDATE, END);
    }

    @Test
    void anEpisodeAnAlarmWasObservedInIsNotRaisedAgainWhicheverFlowDetectorSawIt() {
        List<LeakDetector.Event> replay = List.of(START, UPDATE, END, BURST);
        assertThat(LateEpisodes.news(replay, LATE, List.of(alarm(AlarmKind.NIGHT_FLOW, 140)))).containsExactly(BURST);
        assertThat(LateEpisodes.news(replay, LATE, List.of(alarm(AlarmKind.BURST, 130)))).containsExactly(START, UPDATE, END);
        // An alarm before the episode or after its end is another leak.
        assertThat(LateEpisodes.news(replay, LATE, List.of(alarm(AlarmKind.CONTINUOUS_FLOW, 90), alarm(AlarmKind.CONTINUOUS_FLOW, 151))))
                .containsExactly(START, UPDATE, END, BURST);
        // Still open at the end of the replay: any later alarm of a flow kind is this one.
        assertThat(LateEpisodes.news(List.of(START, UPDATE), LATE, List.of(alarm(AlarmKind.FLOOR_RISE, 400)))).isEmpty();
    }
}
