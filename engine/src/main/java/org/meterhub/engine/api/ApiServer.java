package org.meterhub.engine.api;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.ZoneId;
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

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final HttpServer server;
    private final ThreadPoolExecutor workers;

    private ApiServer(HttpServer server, ThreadPoolExecutor workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Starts serving {@code /api/v1/} on the address (port 0 picks a free port).
     *
     * @param zone the utility's zone: billing days and months, and how times are shown
     */
    public static ApiServer start(InetSocketAddress address, TimeSeriesStore store, ZoneId zone, Clock clock,
                                  int threads) throws IOException {
        return start(address, store, zone, clock, threads, null);
    }

    /**
     * As {@link #start(InetSocketAddress, TimeSeriesStore, ZoneId, Clock, int)}, and with
     * {@code alarms} the API also takes alarm steps: {@code POST /api/v1/alarms/{id}/acknowledge|resolve}.
     */
    public static ApiServer start(InetSocketAddress address, TimeSeriesStore store, ZoneId zone, Clock clock,
                                  int threads, AlarmService alarms) throws IOException {
        return start(address, store, zone, clock, threads, alarms, null);
    }

    /** As above; with {@code validation} the readings and flags reports show the engine's validation findings. */
    public static ApiServer start(InetSocketAddress address, TimeSeriesStore store, ZoneId zone, Clock clock,
                                  int threads, AlarmService alarms,
                                  org.meterhub.engine.vee.ValidationRepository validation) throws IOException {
        return start(address, store, zone, clock, threads, alarms, validation, null);
    }

    /** As above; with {@code coverage}, {@code GET /api/v1/coverage?cycle=YYYY-MM[&at=T]} answers the reading-coverage KPI. */
    public static ApiServer start(InetSocketAddress address, TimeSeriesStore store, ZoneId zone, Clock clock,
                                  int threads, AlarmService alarms,
                                  org.meterhub.engine.vee.ValidationRepository validation,
                                  org.meterhub.engine.coverage.CoverageQuery coverage) throws IOException {
        HttpServer server = HttpServer.create(address, 64);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "api-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(workers);
        server.createContext("/api/v1/", new ApiHandler(store, new Reports(store, zone, validation, coverage), clock, alarms));
        server.start();
        log.info("HTTP API listening on {}", server.getAddress());
        return new ApiServer(server, workers);
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
