package org.meterhub.app.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.HostPort;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.security.SettingsAudit;
import org.meterhub.engine.alarm.AlarmService;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.api.ApiServer;
import org.meterhub.engine.console.ConsoleHandler;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.security.AuthFilter;
import org.meterhub.engine.security.JdbcUsers;
import org.meterhub.engine.security.LoginThrottle;
import org.meterhub.engine.security.PasswordHasher;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The engine on its own: prepares a store (migrations) and reports on it; with {@code --http}
 * it then serves the HTTP API until Ctrl-C (reports, and alarm steps taken by operators). Receiving readings from remote gateways
 * arrives with store-and-forward (issue #5).
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Prepare a store (apply schema migrations), report what it holds, and with --http serve the"
                + " HTTP API (docs/store-and-api.md).")
public final class EngineCommand implements Callable<Integer> {

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve the HTTP API on this address, e.g. 127.0.0.1:8080, until Ctrl-C.")
    String http;

    @Option(names = "--zone", defaultValue = "Asia/Shanghai",
            description = "The utility's time zone for billing days and shown times (default ${DEFAULT-VALUE}).")
    String zoneName;

    @Option(names = "--alarms-mqtt", paramLabel = "URI",
            description = "With --http: publish the alarm steps taken through the API on this broker, e.g."
                    + " tcp://127.0.0.1:1883 (topic alarms/<subject>, as the gateway publishes).")
    String alarmsMqtt;

    @Option(names = "--metrics-open", description = "With --http: serve /metrics without authentication (a scraper on"
            + " a trusted network); otherwise it needs a token like every other path.")
    boolean metricsOpen;

    @picocli.CommandLine.Mixin
    org.meterhub.app.alarm.DeadlinesOption deadlines;

    /** Loaded before the store opens, so a bad file is a one-line error and nothing starts. */
    private org.meterhub.app.config.DeadlinesFile deadlineSettings;

    @Option(names = "--settings", paramLabel = "FILE", description = "Data-protection settings, YAML (docs/security.md):"
            + " security.purpose-required-roles (default operator, billing, admin).")
    java.nio.file.Path settings;

    private org.meterhub.app.config.DataProtectionFile protection;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "With --http: serve HTTPS with this PEM certificate"
            + " chain (server certificate first) and --tls-key; plain HTTP to the port then fails the handshake.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "With --tls-cert: the PEM PKCS#8 private key"
            + " (-----BEGIN PRIVATE KEY-----, RSA or EC).")
    java.nio.file.Path tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "With --http: serve HTTPS with the key and"
            + " certificate chain in this PKCS#12 keystore (instead of --tls-cert and --tls-key).")
    java.nio.file.Path tlsKeystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
            description = "With --tls-keystore: a file holding the keystore's password (one line; not on the command line,"
                    + " where other users could see it).")
    java.nio.file.Path tlsKeystorePasswordFile;

    @Option(names = "--console-settings", paramLabel = "FILE", description = "With --http: the web console's settings,"
            + " YAML (stale-after, per medium; docs/console.md); default: a meter is stale after 25h without a reading.")
    java.nio.file.Path consoleSettingsFile;

    /** Loaded before the store opens, so a bad file is a one-line error and nothing starts. */
    private org.meterhub.engine.console.ConsoleSettings consoleSettings;

    @Option(names = "--http-threads", defaultValue = "4", description = "API worker threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ZoneId zone = CliArgs.zone(zoneName);
        HostPort listen = null;
        if (http != null) {
            try {
                listen = HostPort.parse(http);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--http: " + e.getMessage());
            }
        }
        if (threads < 1 || threads > 64) {
            throw new ConfigException("--http-threads: expected 1 to 64, got " + threads);
        }
        GatewayConfig.AlarmsSection publishing;
        try {
            publishing = new GatewayConfig.AlarmsSection(alarmsMqtt, null, "meterhub-engine-alarms");
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--alarms-" + e.getMessage());
        }
        deadlineSettings = deadlines.load();
        consoleSettings = org.meterhub.app.config.ConsoleSection.load(consoleSettingsFile).settings();
        protection = org.meterhub.app.config.DataProtectionFile.load(settings);
        javax.net.ssl.SSLContext tls = EngineTls.context(listen != null, tlsCert, tlsKey, tlsKeystore, tlsKeystorePasswordFile);
        if (listen != null && SqlDatabase.isPrivateMemory(store)) {
            throw new ConfigException("--http: the API authenticates its users from the store, and a private in-memory store"
                    + " has none; give a store file or server");
        }
        TimeSeriesStore db = CliArgs.store(store);
        ShutdownSignal stop = listen == null ? null : new ShutdownSignal(Duration.ofSeconds(10));
        try {
            try (db) {
                System.out.printf("store %s: schema up to date, %d meters, %d readings%n", db.describe(),
                        db.meters().size(), db.readingCount());
                if (listen == null) {
                    return 0;
                }
                if (db instanceof PostgresStore pg) {
                    pg.maintainClosedPartitions(Duration.ofHours(1)); // per-meter indexes of days that have passed
                }
                // Operators acknowledge and resolve alarms through the API: the same lifecycle the engine raises with.
                try (SqlDatabase alarmDb = SqlDatabase.open(store);
                     AlarmPublishing alarms = AlarmPublishing.start(publishing)) {
                    // The settings the API serves under are on record before the first request (docs/security.md).
                    if (settings != null) SettingsAudit.record(alarmDb, "data-protection", settings, "process");
                    if (deadlines.path() != null) SettingsAudit.record(alarmDb, "deadlines", deadlines.path(), "process");
                    serve(listen, db, zone, alarmDb, alarms, tls, stop);
                }
            }
        } finally {
            if (stop != null) {
                stop.finished(); // the API and the store are closed
            }
        }
        return 0;
    }

    private void serve(HostPort listen, TimeSeriesStore db, ZoneId zone, SqlDatabase alarmDb, AlarmPublishing alarms,
                       javax.net.ssl.SSLContext tls, ShutdownSignal stop) throws IOException, InterruptedException {
        try (ApiServer api = withTls(apiServer(listen, db, zone, alarmDb, alarms), tls).start()) {
            String scheme = api.tls() ? "https" : "http";
            System.out.printf("HTTP API on " + scheme + "://%s:%d/api/v1/ (zone %s), console on " + scheme
                    + "://%1$s:%2$d/console/; Ctrl-C stops%n",
                    api.address().getHostString(), api.address().getPort(), zone);
            if (new JdbcUsers(alarmDb, PasswordHasher.defaults(), Clock.systemUTC()).none()) {
                System.out.println("no users yet: every request is refused until you add one, e.g."
                        + " meterhub users add --name admin --role admin --store " + store);
            }
            System.out.flush();
            stop.await(Duration.ZERO);
        }
    }

    private ApiServer.Builder apiServer(HostPort listen, TimeSeriesStore db, ZoneId zone, SqlDatabase alarmDb,
                                        AlarmPublishing alarms) {
        AlarmService service = new AlarmService(new JdbcAlarmRepository(alarmDb), deadlineSettings.alarmDeadlines(),
                org.meterhub.engine.metrics.AlarmMetrics.counting(alarms.sink()), Clock.systemUTC());
        org.meterhub.engine.metrics.AlarmMetrics.watch(service);
        return httpServer(new InetSocketAddress(listen.host(), listen.port()), threads, db, zone, alarmDb, service,
                consoleSettings, Clock.systemUTC(), metricsOpen, protection.security().purposes());
    }

    /**
     * The engine's HTTP server, for {@code engine --http} and the demo: the API (with alarm steps through
     * {@code alarms}), the console, {@code /metrics} and {@code /health}, every request authenticated against the
     * store's users (docs/security.md). Health probes stay open for systemd and load balancers, the console's login
     * form and static assets for browsers that have no session yet (docs/console.md), and {@code /metrics} only when
     * asked for (a scraper can send a token instead).
     *
     * @param rulesDb   the store's database for users, alarms, findings and coverage records
     * @param pageClock "now" of the reports and pages (the demo's simulated clock); logins and sessions always run
     *                  on the system clock
     * @param purposes  which roles must say why they read one household's data (API and console alike)
     */
    public static ApiServer.Builder httpServer(InetSocketAddress listen, int threads, TimeSeriesStore db, ZoneId zone,
                                               SqlDatabase rulesDb, AlarmService alarms,
                                               org.meterhub.engine.console.ConsoleSettings console, Clock pageClock,
                                               boolean metricsOpen, org.meterhub.engine.security.PurposePolicy purposes) {
        JdbcUsers users = new JdbcUsers(rulesDb, PasswordHasher.defaults(), Clock.systemUTC());
        LoginThrottle throttle = new LoginThrottle(LoginThrottle.Settings.defaults(), Clock.systemUTC());
        List<String> open = new java.util.ArrayList<>(List.of("/health/"));
        open.addAll(ConsoleHandler.OPEN_PREFIXES);
        if (metricsOpen) open.add("/metrics");
        ApiServer.Builder b = ApiServer.builder(db, zone, pageClock)
                .address(listen).threads(threads)
                .purposes(purposes)
                .filter(new AuthFilter(users, throttle, open, Clock.systemUTC()))
                .context("/metrics", org.meterhub.app.runtime.Observability.endpoint())
                .context("/health", new org.meterhub.app.runtime.HealthEndpoint(null, List.of(storeReachable(db))));
        b.alarms(alarms)
                .validation(new org.meterhub.engine.vee.JdbcValidationRepository(rulesDb))
                .coverage(new org.meterhub.engine.coverage.CoverageQuery(db,
                        new org.meterhub.engine.estimation.JdbcEstimationRecords(rulesDb),
                        new org.meterhub.engine.attempt.JdbcReadAttempts(rulesDb),
                        org.meterhub.engine.coverage.CoverageSettings.defaults(), pageClock))
                .gateways(new org.meterhub.engine.gateways.GatewayHealth(rulesDb, console.busHealth()));
        // The console shows the same reports as the API (with validation and coverage, so built after them).
        return b.context("/console/", new ConsoleHandler(db, b.reports(), pageClock, users, throttle,
                new org.meterhub.engine.query.LastReadings(rulesDb), console, rulesDb, purposes));
    }

    private static ApiServer.Builder withTls(ApiServer.Builder builder, javax.net.ssl.SSLContext tls) {
        return tls == null ? builder : builder.tls(tls);
    }

    /**
     * The engine's readiness: the store answers a query. A lookup of a meter by its key: an index probe, cheap
     * even on a store of billions of readings (a count would scan).
     */
    static org.meterhub.app.runtime.HealthEndpoint.Check storeReachable(TimeSeriesStore db) {
        return new org.meterhub.app.runtime.HealthEndpoint.Check("store", () -> {
            db.meter("-");
            return true;
        });
    }
}
