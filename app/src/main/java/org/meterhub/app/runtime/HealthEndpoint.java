package org.meterhub.app.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health/live}, {@code /health/ready} and {@code /health} for a process's HTTP server (the engine's API
 * server as a context, the gateway's admin endpoint by delegation).
 * <ul>
 *   <li>live: 200 whenever the process answers at all; a supervisor restarts it only when this fails.</li>
 *   <li>ready: 200 when every check passes (store reachable, journal writable, broker connected: those the process
 *       has), else 503 naming the failing ones; a load balancer or an operator's probe sends no work meanwhile.</li>
 *   <li>{@code /health}: the detailed body of {@link Health#json()} where the process has one, else the ready body.</li>
 * </ul>
 */
public final class HealthEndpoint implements HttpHandler {
    /** One readiness check; a check that throws counts as failing. */
    public record Check(String name, BooleanSupplier up) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Health health;
    private final List<Check> more;
    private final List<Check> checks;

    /** @param health the detailed {@code /health} (null: none); its store and journal are also readiness checks */
    public HealthEndpoint(Health health, List<Check> more) {
        this.health = health;
        this.more = List.copyOf(more);
        List<Check> all = new ArrayList<>(health == null ? List.of() : health.readiness());
        all.addAll(more);
        this.checks = List.copyOf(all);
    }

    public HealthEndpoint(Health health) {
        this(health, List.of());
    }

    /** With another readiness check, e.g. {@code broker} connected. */
    public HealthEndpoint with(Check check) {
        List<Check> next = new ArrayList<>(more);
        next.add(check);
        return new HealthEndpoint(health, next);
    }

    /** Whether this handler answers {@code path}. */
    public static boolean serves(String path) {
        return path.equals("/health") || path.equals("/api/v1/health") || path.startsWith("/health/");
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().close();
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/health/live", "/health/live/" -> send(ex, 200, JSON.createObjectNode().put("status", "UP"));
                case "/health/ready", "/health/ready/" -> ready(ex);
                case "/health", "/health/", "/api/v1/health" -> {
                    if (health == null) {
                        ready(ex);
                    } else {
                        send(ex, health.healthy() ? 200 : 503, health.json());
                    }
                }
                default -> send(ex, 404, JSON.createObjectNode().put("error", "NOT_FOUND")
                        .put("message", "use /health/live, /health/ready or /health"));
            }
        }
    }

    /** Runs every check: {"status":"READY","checks":{"store":"UP","journal":"UP"}}. */
    public ObjectNode readyJson() {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode c = JSON.createObjectNode();
        boolean all = true;
        for (Check check : checks) {
            boolean up;
            try {
                up = check.up().getAsBoolean();
            } catch (RuntimeException e) {
                up = false;
            }
            c.put(check.name(), up ? "UP" : "DOWN");
            all &= up;
        }
        o.put("status", all ? "READY" : "NOT_READY");
        o.set("checks", c);
        return o;
    }

    private void ready(HttpExchange ex) throws IOException {
        ObjectNode body = readyJson();
        send(ex, body.get("status").asText().equals("READY") ? 200 : 503, body);
    }

    private static void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
