package org.meterhub.app.runtime;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import org.meterhub.engine.metrics.AlarmMetrics;
import org.meterhub.engine.metrics.EngineMetrics;
import org.meterhub.engine.metrics.MetricsEndpoint;
import org.meterhub.gateway.metrics.GatewayMetrics;

/**
 * The process's {@code /metrics}: every meterhub series registered up front (so a scrape shows them at 0 before
 * the first event, and dashboards and alert rules find them) plus the JVM's (heap, GC, threads, CPU, uptime).
 */
public final class Observability {
    private static final MetricsEndpoint ENDPOINT;

    static {
        // Loading the classes registers their series in the default registry, once per process.
        Object[] touch = {EngineMetrics.READINGS_RECEIVED, AlarmMetrics.RAISED, GatewayMetrics.POLLS};
        if (touch.length != 3) throw new AssertionError();
        JvmMetrics.builder().register(); // registers once per registry however often it is called
        ENDPOINT = new MetricsEndpoint();
    }

    private Observability() {
    }

    /** The handler of {@code GET /metrics}. */
    public static MetricsEndpoint endpoint() {
        return ENDPOINT;
    }
}
