package org.meterhub.engine.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;

/**
 * The engine's series, in the process-wide {@code PrometheusRegistry.defaultRegistry} that {@link MetricsEndpoint}
 * serves. Static, as Prometheus clients intend: a process has one set of counters however many pipelines it runs.
 * Label values come from small fixed sets (a reason, an alarm kind), never a meter or customer id: those would
 * make a series per meter (cardinality) and put personal data into the monitoring system.
 */
public final class EngineMetrics {
    private EngineMetrics() {
    }

    /** Reasons a reading is not stored; the label values of {@link #READINGS_REJECTED}. */
    public static final String STORE_REFUSED = "store_refused";
    public static final String JOURNAL_FULL = "journal_full";
    public static final String IMPORT_INVALID = "import_invalid";

    public static final Counter READINGS_RECEIVED = Counter.builder()
            .name("meterhub_readings_received")
            .help("Readings handed to the engine's ingest pipeline")
            .register();

    public static final Counter READINGS_STORED = Counter.builder()
            .name("meterhub_readings_stored")
            .help("Readings committed to the store")
            .register();

    public static final Counter READINGS_REJECTED = Counter.builder()
            .name("meterhub_readings_rejected")
            .help("Readings not stored, by reason (store_refused: set aside after the store refused them for good;"
                    + " journal_full: refused by a full gateway journal; import_invalid: an import row that failed checks)")
            .labelNames("reason")
            .register();

    /** One store write is one batch of readings and their consumption intervals in one transaction. */
    public static final Histogram STORE_WRITE_SECONDS = Histogram.builder()
            .name("meterhub_store_write_seconds")
            .help("Time to write one batch of readings and intervals to the store")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register();

    static {
        // Series exist at 0 from the start, so rate() and alerts see them before the first rejection.
        for (String reason : new String[] {STORE_REFUSED, JOURNAL_FULL, IMPORT_INVALID}) {
            READINGS_REJECTED.labelValues(reason);
        }
    }
}
