package org.meterhub.app.read;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.meterhub.app.runtime.HealthEndpoint;
import org.meterhub.engine.metrics.MetricsEndpoint;
import org.meterhub.engine.reading.Reading;
import org.meterhub.gateway.driver.ReadFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's local admin endpoint: {@code GET /metrics}, {@code GET /health/live|ready} and
 * {@code POST /api/v1/meters/{id}/read}, which reads one meter now,
 * through its bus's poller, and answers with the reading as JSON. On loopback it has no authentication; bound
 * anywhere else it requires {@code Authorization: Bearer <token>} on everything but {@code /health/live|ready}
 * (the token from {@code admin.token-file}). Answers are sent when the read completes, from the
 * completing thread: no request thread waits on a bus.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final Pattern READ = Pattern.compile("/api/v1/meters/([^/]{1,200})/read/?");
    /** Liveness and readiness probes stay open for service managers and load balancers; they reveal nothing. */
    private static final java.util.Set<String> OPEN = java.util.Set.of("/health/live", "/health/live/", "/health/ready",
            "/health/ready/");
    private static final Pattern METER_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final HttpServer server;
    private final Function<String, CompletableFuture<Reading>> reader;
    private final Duration maxWait;
    private final HealthEndpoint health;
    private final MetricsEndpoint metrics = org.meterhub.app.runtime.Observability.endpoint();
    private final ObjectMapper json = new ObjectMapper();
    /** The bearer token requests must carry; null: none (loopback). */
    private final byte[] token;

    private AdminServer(HttpServer server, Function<String, CompletableFuture<Reading>> reader, Duration maxWait,
                        HealthEndpoint health, byte[] token) {
        this.server = server;
        this.token = token;
        this.reader = reader;
        this.maxWait = maxWait;
        this.health = health;
    }

    /**
     * @param reader  reads one meter now (e.g. {@code SingleBox::readNow}); fails with
     *                {@link IllegalArgumentException} for an unknown meter, {@link ReadFailure} otherwise
     * @param maxWait longest a request waits for its read (the poller's retries normally end it sooner)
     * @throws IOException when the address cannot be bound (e.g. in use)
     */
    public static AdminServer start(String host, int port, Function<String, CompletableFuture<Reading>> reader,
                                    Duration maxWait) throws IOException {
        return start(host, port, reader, maxWait, (HealthEndpoint) null);
    }

    /**
     * @param health answers {@code GET /health} and {@code GET /api/v1/health} (200 when healthy, 503 when the store is
     *               DOWN, the journal cannot write or the clock is not trusted); null: no such endpoint
     */
    public static AdminServer start(String host, int port, Function<String, CompletableFuture<Reading>> reader,
                                    Duration maxWait, org.meterhub.app.runtime.Health health) throws IOException {
        return start(host, port, reader, maxWait, health == null ? null : new HealthEndpoint(health));
    }

    /**
     * Also {@code GET /metrics} (always) and {@code /health/live}, {@code /health/ready} and {@code /health} (with a
     * health endpoint).
     *
     * @param reader null in a process without on-demand reads (an engine intake, an MQTT gateway): only metrics
     *               and health are served
     */
    public static AdminServer start(String host, int port, Function<String, CompletableFuture<Reading>> reader,
                                    Duration maxWait, HealthEndpoint health) throws IOException {
        return start(host, port, reader, maxWait, health, null);
    }

    /** @param token the bearer token every request but {@code /health/live|ready} must carry; null: none */
    public static AdminServer start(String host, int port, Function<String, CompletableFuture<Reading>> reader,
                                    Duration maxWait, HealthEndpoint health, String token) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
        AdminServer admin = new AdminServer(http, reader, maxWait, health,
                token == null ? null : token.getBytes(StandardCharsets.UTF_8));
        http.createContext("/", admin::handle);
        http.start();
        log.info("admin endpoint listening on {}", http.getAddress());
        return admin;
    }

    /**
     * The metrics and health endpoint of a process without on-demand reads, from its {@code --admin HOST:PORT}
     * option (null: none).
     *
     * @throws org.meterhub.app.config.ConfigException for a malformed address or one that cannot be bound
     */
    public static AdminServer forOption(String listen, HealthEndpoint health) {
        return forOption(Option.of(listen, null), health);
    }

    /**
     * {@code --admin HOST:PORT} and {@code --admin-token-file FILE} of a process without on-demand reads, checked before
     * the process starts anything: beyond loopback the token file is required (as {@code admin.token-file} of the
     * gateway), and its token must be sound.
     *
     * @param listen null: no endpoint
     * @param token  the token the file holds; null on loopback without a file
     */
    public record Option(org.meterhub.app.config.HostPort listen, String token) {
        /** @throws org.meterhub.app.config.ConfigException one line naming the option */
        public static Option of(String listen, java.nio.file.Path tokenFile) {
            if (listen == null) {
                if (tokenFile != null) throw new org.meterhub.app.config.ConfigException("--admin-token-file: needs --admin HOST:PORT");
                return new Option(null, null);
            }
            org.meterhub.app.config.HostPort hp;
            try {
                hp = org.meterhub.app.config.HostPort.parse(listen);
            } catch (IllegalArgumentException e) {
                throw new org.meterhub.app.config.ConfigException("--admin: " + e.getMessage());
            }
            if (tokenFile == null && !hp.loopback()) {
                throw new org.meterhub.app.config.ConfigException("--admin-token-file: required when --admin (" + listen
                        + ") is not a loopback address: a file holding the token requests must carry");
            }
            try {
                return new Option(hp, tokenFile == null ? null : AdminServer.token(tokenFile));
            } catch (org.meterhub.app.config.ConfigException e) {
                throw new org.meterhub.app.config.ConfigException(e.getMessage().replace("admin.token-file:", "--admin-token-file:"));
            }
        }
    }

    /** The endpoint of a checked {@link Option} (null when none). */
    public static AdminServer forOption(Option option, HealthEndpoint health) {
        if (option.listen() == null) return null;
        try {
            return start(option.listen().host(), option.listen().port(), null, Duration.ZERO, health, option.token());
        } catch (IOException e) {
            throw new org.meterhub.app.config.ConfigException("--admin: " + e.getMessage());
        }
    }

    /**
     * The loopback admin endpoint of a gateway configured with {@code admin:} (null when disabled); a port in use is
     * reported, not fatal: polling goes on.
     */
    public static AdminServer forConfig(org.meterhub.app.config.GatewayConfig.AdminSection a,
                                        Function<String, CompletableFuture<Reading>> reader, HealthEndpoint health) {
        if (!a.enabled()) return null;
        org.meterhub.app.config.HostPort hp = org.meterhub.app.config.HostPort.parse(a.listen());
        String token = a.tokenFile() == null ? null : token(java.nio.file.Path.of(a.tokenFile()));
        try {
            return start(hp.host(), hp.port(), reader, Duration.ofMinutes(2), health, token);
        } catch (IOException e) {
            System.err.println("meterhub: admin endpoint not started on " + a.listen() + ": " + e.getMessage()
                    + " (set admin.listen, or admin.enabled: false)");
            return null;
        }
    }

    /** The token in {@code admin.token-file} (surrounding white space dropped); a missing, empty or short one refuses startup. */
    static String token(java.nio.file.Path file) { // also what `meterhub read --token-file` sends
        String token;
        try {
            token = java.nio.file.Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new org.meterhub.app.config.ConfigException("admin.token-file: cannot read " + file + ": " + e.getMessage());
        }
        if (token.length() < 16 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new org.meterhub.app.config.ConfigException("admin.token-file: " + file
                    + " must hold a token of at least 16 printable characters without spaces");
        }
        return token;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        ex.getRequestBody().close(); // nothing in a body is used; never buffer one
        String path = ex.getRequestURI().getRawPath();
        if (token != null && !OPEN.contains(path) && !authorized(ex)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"meterhub-admin\"");
            send(ex, 401, error("UNAUTHORIZED", "send Authorization: Bearer <the token in admin.token-file>"));
            return;
        }
        if (health != null && HealthEndpoint.serves(path)) {
            health.handle(ex);
            return;
        }
        if (path.equals("/metrics")) {
            metrics.handle(ex);
            return;
        }
        Matcher m = READ.matcher(ex.getRequestURI().getRawPath());
        if (!m.matches() || reader == null) {
            send(ex, 404, error("NOT_FOUND", "no such endpoint; use POST /api/v1/meters/{id}/read"));
            return;
        }
        if (!ex.getRequestMethod().equals("POST")) {
            ex.getResponseHeaders().set("Allow", "POST");
            send(ex, 405, error("METHOD_NOT_ALLOWED", "use POST to read a meter"));
            return;
        }
        String meterId = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        if (!METER_ID.matcher(meterId).matches()) {
            send(ex, 400, error("BAD_METER_ID", "a meter id is 1-64 letters, digits, '.', '_', ':' or '-'"));
            return;
        }
        long start = System.nanoTime();
        CompletableFuture<Reading> read;
        try {
            read = reader.apply(meterId);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.orTimeout(maxWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).whenComplete((reading, error) -> {
            try {
                if (error == null) {
                    send(ex, 200, body(reading, (System.nanoTime() - start) / 1_000_000));
                } else {
                    failed(ex, meterId, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                }
            } catch (IOException e) {
                log.debug("admin: client went away before the answer for meter {}", meterId);
            }
        });
    }

    /** Compared in constant time (MessageDigest.isEqual), so the answer's timing does not reveal a matching prefix. */
    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return java.security.MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private void failed(HttpExchange ex, String meterId, Throwable error) throws IOException {
        if (error instanceof IllegalArgumentException) {
            send(ex, 404, error("UNKNOWN_METER", "meter " + meterId + " is not configured on this gateway"));
        } else if (error instanceof ReadFailure f) {
            int status = switch (f.kind()) {
                case CLOSED -> 503;
                case BUSY -> 429;
                case METER_ERROR, BAD_REPLY, UNCONFIRMED -> 502;
                case TIMEOUT -> 504;
            };
            send(ex, status, error(f.kind().name(), f.getMessage()));
        } else if (error instanceof TimeoutException) {
            send(ex, 504, error("TIMEOUT", "no result within " + maxWait.toSeconds() + " s"));
        } else {
            log.warn("admin: a meter read failed unexpectedly (meter at DEBUG)", error);
            log.debug("admin: read of meter {} failed", meterId);
            send(ex, 500, error("INTERNAL", String.valueOf(error.getMessage())));
        }
    }

    private ObjectNode body(Reading r, long elapsedMs) {
        ObjectNode o = json.createObjectNode();
        o.put("meter", r.meterId());
        o.put("time", r.time().toString());
        o.put("received_at", r.receivedAt().toString());
        o.put("volume_l", r.volumeL());
        o.put("volume_m3", BigDecimal.valueOf(r.volumeL(), 3).toPlainString());
        o.put("source", r.source().name());
        var flags = o.putArray("flags");
        r.flags().stream().map(Enum::name).sorted().forEach(flags::add);
        o.put("status_bits", r.statusBits());
        if (r.meterTime() != null) o.put("meter_time", r.meterTime().toString());
        o.put("elapsed_ms", elapsedMs);
        return o;
    }

    private ObjectNode error(String kind, String message) {
        ObjectNode o = json.createObjectNode();
        o.put("error", kind);
        o.put("message", message);
        return o;
    }

    private void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
