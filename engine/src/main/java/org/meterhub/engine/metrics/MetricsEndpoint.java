package org.meterhub.engine.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /metrics}: every series of the process in Prometheus' text format (version 0.0.4), for the engine's
 * HTTP server ({@code ApiServer.Builder.context("/metrics", ...)}) and the gateway's admin endpoint alike.
 */
public final class MetricsEndpoint implements HttpHandler {
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsEndpoint() {
        this(PrometheusRegistry.defaultRegistry);
    }

    public MetricsEndpoint(PrometheusRegistry registry) {
        this.registry = registry;
    }

    /** The text a scrape gets, for status checks and tests. */
    public String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().close();
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            // Rendered to a buffer first: a collector that fails answers 500 rather than half a page.
            ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
            writer.write(body, registry.scrape());
            ex.getResponseHeaders().set("Content-Type", writer.getContentType());
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(200, head ? -1 : body.size());
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    body.writeTo(out);
                }
            }
        }
    }
}
