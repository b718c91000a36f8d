package org.meterhub.gateway.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.meterhub.gateway.journal.Journal;
import org.meterhub.gateway.journal.JournalStats;
import org.meterhub.gateway.mqtt.RejectReason;

/**
 * The gateway's series, beside the engine's in the process-wide registry. Labels are a bus kind
 * ({@code dtu-cjt188}, {@code serial-modbus}, {@code modbus-tcp}, ...), an outcome or a reject reason: small fixed
 * sets. Never a meter id, DTU id or serial port: those are for logs at DEBUG and the admin endpoint's answers.
 */
public final class GatewayMetrics {
    private GatewayMetrics() {
    }

    public static final Histogram POLL_SECONDS = Histogram.builder()
            .name("meterhub_poll_latency_seconds")
            .help("Request sent to reading produced, successful polls, by bus kind")
            .labelNames("bus_kind")
            .classicOnly()
            .classicUpperBounds(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
            .register();

    public static final Counter POLLS = Counter.builder()
            .name("meterhub_polls")
            .help("Polls of a meter by bus kind and outcome (reading, or failed after its retries)")
            .labelNames("bus_kind", "outcome")
            .register();

    /** A journal commit is one SQLite transaction: with synchronous=FULL its time is the fsync's. */
    public static final Histogram JOURNAL_FSYNC_SECONDS = Histogram.builder()
            .name("meterhub_journal_fsync_seconds")
            .help("Time of one journal group commit (the write and fsync of its WAL frames)")
            .classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5)
            .register();

    public static final Counter MQTT_UPLINKS = Counter.builder()
            .name("meterhub_mqtt_uplinks")
            .help("Messages that arrived on an MQTT uplink topic")
            .register();

    public static final Counter MQTT_REJECTED = Counter.builder()
            .name("meterhub_mqtt_uplinks_rejected")
            .help("MQTT uplinks rejected, by reason")
            .labelNames("reason")
            .register();

    private static final Set<Journal> JOURNALS = ConcurrentHashMap.newKeySet();

    static {
        for (RejectReason r : RejectReason.values()) MQTT_REJECTED.labelValues(r.name().toLowerCase(java.util.Locale.ROOT));
        GaugeWithCallback.builder()
                .name("meterhub_journal_backlog_readings")
                .help("Readings journalled and not yet acknowledged by the engine (all journals of the process)")
                .callback(cb -> cb.call(sum(true)))
                .register();
        GaugeWithCallback.builder()
                .name("meterhub_journal_used_bytes")
                .help("Bytes the journals' files take")
                .callback(cb -> cb.call(sum(false)))
                .register();
        GaugeWithCallback.builder()
                .name("meterhub_journal_writable")
                .help("1 when every journal's last commit succeeded, 0 while one cannot write")
                .callback(cb -> {
                    if (!JOURNALS.isEmpty()) cb.call(JOURNALS.stream().allMatch(j -> j.stats().writable()) ? 1 : 0);
                })
                .register();
    }

    /** Shows an open journal in the gauges until {@link #forget} (journals call both themselves). */
    public static void watch(Journal journal) {
        JOURNALS.add(journal);
    }

    public static void forget(Journal journal) {
        JOURNALS.remove(journal);
    }

    public static void rejected(RejectReason reason) {
        MQTT_REJECTED.labelValues(reason.name().toLowerCase(java.util.Locale.ROOT)).inc();
    }

    private static double sum(boolean pending) {
        long n = 0;
        for (Journal j : JOURNALS) {
            JournalStats s = j.stats();
            n += pending ? s.pending() : s.usedBytes();
        }
        return n;
    }
}
