package org.meterhub.engine.leak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.AlarmKind;

/**
 * Which episodes of a re-judged window ({@link LeakDetector#rejudge}) are news. The replay sees hours the
 * forward pass judged already, so it finds again what the forward pass (or an earlier re-judgement) raised;
 * alarms are never edited in place, so those must not be raised twice. An episode of the replay is news when
 * <ul>
 * <li>it lasts past the first late hour (an episode over before it was judged by the forward pass on the same
 *     hours, with more context than the replay has), and</li>
 * <li>no alarm of a flow kind (for a flow episode; one leak is one alarm, whichever detector saw it) or of
 *     {@code BURST} (for a burst) of the meter was observed during it: the forward pass saw that leak.</li>
 * </ul>
 * A news episode's events go to {@link LeakResponder} in order, as the forward pass would have sent them: its
 * start raises an alarm (or, when one of that kind is still open from an older episode, escalates it: the
 * existing scheme), updates escalate, the end resolves it with the volume lost.
 */
public final class LateEpisodes {
    private LateEpisodes() {
    }

    /** The events of {@code replayed} that belong to news episodes, in the replay's order. */
    public static List<LeakDetector.Event> news(List<LeakDetector.Event> replayed, long firstLateMs, List<Alarm> known) {
        List<List<LeakDetector.Event>> episodes = new ArrayList<>();
        int[] episodeOf = new int[replayed.size()];
        int flow = -1;
        int burst = -1;
        for (int i = 0; i < replayed.size(); i++) {
            LeakDetector.Event e = replayed.get(i);
            boolean isBurst = e.kind() == LeakKind.BURST;
            if (e.phase() == LeakDetector.Phase.START) {
                episodes.add(new ArrayList<>());
                if (isBurst) burst = episodes.size() - 1;
                else flow = episodes.size() - 1;
            }
            int ep = isBurst ? burst : flow;
            episodeOf[i] = ep;
            if (ep < 0) continue; // the replay starts without episodes: an update or end always follows a start
            episodes.get(ep).add(e);
            if (e.phase() == LeakDetector.Phase.END) {
                if (isBurst) burst = -1;
                else flow = -1;
            }
        }
        boolean[] isNews = new boolean[episodes.size()];
        for (int k = 0; k < episodes.size(); k++) {
            List<LeakDetector.Event> ep = episodes.get(k);
            LeakDetector.Event last = ep.get(ep.size() - 1);
            long endMs = last.phase() == LeakDetector.Phase.END ? last.atMs() : Long.MAX_VALUE;
            isNews[k] = endMs > firstLateMs && !seen(ep.get(0), endMs, known);
        }
        List<LeakDetector.Event> out = new ArrayList<>();
        for (int i = 0; i < replayed.size(); i++) {
            if (episodeOf[i] >= 0 && isNews[episodeOf[i]]) out.add(replayed.get(i));
        }
        return out;
    }

    private static boolean seen(LeakDetector.Event start, long endMs, List<Alarm> known) {
        boolean burst = start.kind() == LeakKind.BURST;
        Instant from = Instant.ofEpochMilli(start.sinceMs());
        for (Alarm a : known) {
            if (burst ? a.kind() != AlarmKind.BURST : !isFlow(a.kind())) continue;
            Instant at = a.observedAt();
            if (!at.isBefore(from) && (endMs == Long.MAX_VALUE || at.toEpochMilli() <= endMs)) return true;
        }
        return false;
    }

    private static boolean isFlow(AlarmKind k) {
        return k == AlarmKind.CONTINUOUS_FLOW || k == AlarmKind.NIGHT_FLOW || k == AlarmKind.FLOOR_RISE;
    }
}
