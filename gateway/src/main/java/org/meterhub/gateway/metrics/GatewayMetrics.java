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
    private static final Set<org.meterhub.gateway.poll.BusHealthRegistry> BUSES = ConcurrentHashMap.newKeySet();

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
        // Per bus kind, not per bus: a DTU id or a serial port is not a label (see the class comment). The page's
        // per-bus rows come from the gateway's status report instead.
        GaugeWithCallback.builder()
                .name("meterhub_buses")
                .help("Buses in the gateway's file by kind (DTU dial-ins, serial lines, Modbus TCP peers, MQTT uplink)")
                .labelNames("bus_kind")
                .callback(cb -> busCounts(0).forEach((kind, n) -> cb.call(n, kind)))
                .register();
        GaugeWithCallback.builder()
                .name("meterhub_buses_connected")
                .help("Buses connected now by kind (a DTU registered, a port or TCP session open, the broker connected)")
                .labelNames("bus_kind")
                .callback(cb -> busCounts(1).forEach((kind, n) -> cb.call(n, kind)))
                .register();
        GaugeWithCallback.builder()
                .name("meterhub_buses_failing")
                .help("Buses by kind whose polls in the last window all failed (none produced a reading)")
                .labelNames("bus_kind")
                .callback(cb -> busCounts(2).forEach((kind, n) -> cb.call(n, kind)))
                .register();
    }

    /** Shows a gateway's buses in the per-kind bus gauges until {@link #forget(org.meterhub.gateway.poll.BusHealthRegistry)}. */
    public static void watch(org.meterhub.gateway.poll.BusHealthRegistry buses) {
        BUSES.add(buses);
    }

    public static void forget(org.meterhub.gateway.poll.BusHealthRegistry buses) {
        BUSES.remove(buses);
    }

    /** 0: buses, 1: connected, 2: failing; by kind. */
    private static java.util.Map<String, Double> busCounts(int which) {
        java.util.Map<String, Double> n = new java.util.TreeMap<>();
        for (org.meterhub.gateway.poll.BusHealthRegistry r : BUSES) {
            for (org.meterhub.gateway.poll.BusHealth.Snapshot s : r.snapshots()) {
                boolean counts = switch (which) {
                    case 0 -> true;
                    case 1 -> s.connected();
                    default -> s.pollsFailed() > 0 && s.pollsOk() == 0;
                };
                n.merge(s.kind(), counts ? 1.0 : 0.0, Double::sum);
            }
        }
        return n;
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
