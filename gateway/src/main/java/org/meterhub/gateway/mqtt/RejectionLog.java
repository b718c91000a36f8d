package org.meterhub.gateway.mqtt;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a rejected uplink at most once per meter per interval (its reason at WARN, the meter and the detail at
 * DEBUG: meter numbers are personal data), so a meter stuck sending garbage
 * does not flood the log; the counters still count every message. The map of last-logged times
 * is bounded (least recently logged meters are forgotten), so random meter ids cannot grow it.
 */
public final class RejectionLog {
    private static final Logger log = LoggerFactory.getLogger(RejectionLog.class);
    private static final int MAX_TRACKED = 10_000;

    private final Clock clock;
    private final long intervalMillis;
    private final Map<String, Long> lastLogged = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    public RejectionLog(Clock clock, Duration interval) {
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /** Returns true if this rejection was logged (false when suppressed). */
    public synchronized boolean rejected(String meterKey, RejectReason reason, String detail) {
        long now = clock.millis();
        Long last = lastLogged.get(meterKey);
        if (last != null && now - last < intervalMillis) return false;
        lastLogged.put(meterKey, now);
        // The meter's number and the detail (which may quote a topic or a body's meter) only at DEBUG: personal data.
        log.warn("uplink rejected: {}; further rejections from that meter are counted, not logged, for {} s"
                + " (meter and detail at DEBUG)", reason, intervalMillis / 1000);
        log.debug("uplink from meter {} rejected: {} ({})", meterKey, reason, detail);
        return true;
    }

    private long lastConflictLogged = Long.MIN_VALUE;

    /**
     * A seq repeated with other content. At most one WARN per interval for all meters and without the meter's
     * number (meter ids stay at DEBUG); the counter and the journal's {@code uplink_conflicts} have every one.
     */
    public synchronized void conflict(String meterId, long seq) {
        log.debug("uplink seq conflict: meter {} seq {}", meterId, seq);
        long now = clock.millis();
        if (lastConflictLogged != Long.MIN_VALUE && now - lastConflictLogged < intervalMillis) return;
        lastConflictLogged = now;
        log.warn("uplink seq conflict: a meter repeated a seq with other content; kept (journal table uplink_conflicts,"
                + " counter conflicts), not stored as readings; further ones are counted, not logged, for {} s",
                intervalMillis / 1000);
    }
}
