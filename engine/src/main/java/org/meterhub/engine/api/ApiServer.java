package org.meterhub.engine.api;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.store.TimeSeriesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's HTTP API (reads; alarm steps when given the alarm lifecycle) on the JDK's HttpServer: a few worker threads behind a bounded
 * queue; when it is full the accepting thread answers itself (caller-runs), which slows new
 * connections down instead of queueing without bound.
 */
public final class ApiServer implements AutoCloseable {
    static {
        // TCP_NODELAY on the server's sockets (the JDK server's own switch, read when its first server
        // starts): without it a response written in two segments waits for the client's delayed ACK,
        // about 40 ms a request (the console's meter page at 100 M rows: 57-66 ms p50 with it off,
        // 11-17 ms with it on; docs/console.md). A value set on the command line is kept.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }


    static final String API_PATH = "/api/v1/";

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final HttpServer server;
    private final ThreadPoolExecutor workers;

    private ApiServer(HttpServer server, ThreadPoolExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /** What the server serves; everything but the store, zone and clock is optional. */
    public static Builder builder(TimeSeriesStore store, ZoneId zone, Clock clock) {
        return new Builder(store, zone, clock);
    }

    /**
     * Collects the server's parts. Capabilities that serve pages or endpoints of their own (a
     * console, {@code /metrics}) add a context; an authentication filter applies to every context.
     */
    public static final class Builder {
        private final TimeSeriesStore store;
        private final ZoneId zone;
        private final Clock clock;
        private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
        private int threads = 4;
        private AlarmService alarms;
        private org.meterhub.engine.vee.ValidationRepository validation;
        private org.meterhub.engine.coverage.CoverageQuery coverage;
        private org.meterhub.engine.gateways.GatewayHealth gateways;
        private final Map<String, HttpHandler> contexts = new LinkedHashMap<>();
        private final List<Filter> filters = new ArrayList<>();
        private javax.net.ssl.SSLContext tls;
        private org.meterhub.engine.security.PurposePolicy purposes = org.meterhub.engine.security.PurposePolicy.none();

        private Builder(TimeSeriesStore store, ZoneId zone, Clock clock) {
            this.store = Objects.requireNonNull(store, "store");
            this.zone = Objects.requireNonNull(zone, "zone");
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        /** Where to listen; port 0 picks a free port (the default: loopback, port 0). */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads: expected at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** With the alarm lifecycle the API also takes alarm steps: {@code POST /api/v1/alarms/{id}/acknowledge|resolve}. */
        public Builder alarms(AlarmService alarms) {
            this.alarms = alarms;
            return this;
        }

        /** With validation findings the readings and flags reports show them. */
        public Builder validation(org.meterhub.engine.vee.ValidationRepository validation) {
            this.validation = validation;
            return this;
        }

        /** With coverage, {@code GET /api/v1/coverage?cycle=YYYY-MM[&at=T]} answers the reading-coverage KPI. */
        public Builder coverage(org.meterhub.engine.coverage.CoverageQuery coverage) {
            this.coverage = coverage;
            return this;
        }

        /** Serves another path beside {@code /api/v1/} (a console page, {@code /metrics}, {@code /health/}). */
        public Builder context(String path, HttpHandler handler) {
            if (path.equals(API_PATH) || contexts.putIfAbsent(path, Objects.requireNonNull(handler, "handler")) != null) {
                throw new IllegalArgumentException("context " + path + " is already served");
            }
            return this;
        }

        /**
         * Serves HTTPS with this context ({@link TlsContexts}) instead of plain HTTP: a plain-HTTP request to the
         * port then fails the TLS handshake (the server reads it as a bad ClientHello and closes the connection).
         */
        public Builder tls(javax.net.ssl.SSLContext context) {
            this.tls = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Which authenticated roles must state a purpose ({@code ?purpose=} or {@code X-Purpose}) to read one household's
         * data; none by default. A read without a required purpose is a 400 naming what is missing.
         */
        public Builder purposes(org.meterhub.engine.security.PurposePolicy purposes) {
            this.purposes = Objects.requireNonNull(purposes, "purposes");
            return this;
        }

        /** With gateways, {@code GET /api/v1/gateways} and {@code GET /api/v1/gateways/buses} answer as the Gateways page shows. */
        public Builder gateways(org.meterhub.engine.gateways.GatewayHealth gateways) {
            this.gateways = gateways;
            return this;
        }

        /** A filter run before every context's handler, in the order added (authentication, audit). */
        public Builder filter(Filter filter) {
            filters.add(Objects.requireNonNull(filter, "filter"));
            return this;
        }

        /** The reports the API answers with, for other contexts that show the same numbers. */
        public Reports reports() {
            return new Reports(store, zone, validation, coverage, gateways);
        }

        public ApiServer start() throws IOException {
            HttpServer server;
            if (tls == null) {
                server = HttpServer.create(address, 64);
            } else {
                com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
                server = https;
            }
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(256), r -> {
                        Thread t = new Thread(r, "api-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }, new ThreadPoolExecutor.CallerRunsPolicy());
            server.setExecutor(workers);
            server.createContext(API_PATH, new ApiHandler(store, reports(), clock, alarms, purposes)).getFilters().addAll(filters);
            contexts.forEach((path, handler) -> server.createContext(path, handler).getFilters().addAll(filters));
            server.start();
            log.info("HTTP API listening on {}{}", server.getAddress(), tls == null ? "" : " (TLS)");
            return new ApiServer(server, workers);
        }
    }

    /** Starts serving {@code /api/v1/} with reports only (no alarm steps). */
    public static ApiServer start(InetSocketAddress address, TimeSeriesStore store, ZoneId zone, Clock clock,
                                  int threads) throws IOException {
        return builder(store, zone, clock).address(address).threads(threads).start();
    }

    /** Whether the server speaks TLS ({@code https://}). */
    public boolean tls() {
        return server instanceof com.sun.net.httpserver.HttpsServer;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting, lets requests in progress finish for up to a second, then stops the workers. */
    @Override
    public void close() {
        server.stop(1);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }
}
