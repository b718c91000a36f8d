package org.meterhub.gateway.poll;

import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/** Gateway-wide poll counters; request-to-reading latency goes through HdrHistogram. */
public final class PollStats {
    public final AtomicLong polls = new AtomicLong();
    public final AtomicLong readings = new AtomicLong();
    public final AtomicLong failedAttempts = new AtomicLong();
    public final AtomicLong failedPolls = new AtomicLong();
    public final AtomicLong degraded = new AtomicLong();
    /** Polls given up because no two replies agreed on a noisy line (also counted in {@link #failedPolls}). */
    public final AtomicLong unconfirmed = new AtomicLong();
    /** Times a bus paused polling because the journal could not take readings. */
    public final AtomicLong pauses = new AtomicLong();
    /** Microseconds from request sent to reading produced. */
    public final Recorder latencyMicros = new Recorder(3);
}
