package org.meterhub.app.forward;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.meterhub.app.alarm.AlarmPublishing;
import org.meterhub.app.alarm.ProcessAlarms;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.app.runtime.HealthEndpoint;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.intake.FencedStore;
import org.meterhub.engine.intake.IntakeSettings;
import org.meterhub.engine.intake.LeaseFences;
import org.meterhub.engine.intake.MqttIntake;
import org.meterhub.engine.intake.PartitionLeases;
import org.meterhub.engine.intake.PgAdvisoryLeases;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.PostgresStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** An engine process that takes readings from remote gateways (store-and-forward). */
@Command(name = "engine-intake", mixinStandardHelpOptions = true,
        description = "Receive journal batches from gateways over MQTT, commit them to the store, acknowledge them.")
public final class EngineIntakeCommand implements Callable<Integer> {

    @Option(names = "--intake", defaultValue = "mqtt://127.0.0.1:1883",
            description = "Broker, mqtt://host:port or mqtts://host:port (TLS, with --mqtt-ca-file) (default ${DEFAULT-VALUE}).")
    String intake;

    @picocli.CommandLine.Mixin
    org.meterhub.app.mqtt.MqttTlsOptions tls = new org.meterhub.app.mqtt.MqttTlsOptions();

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--leases", description = "PostgreSQL URL holding the partition leases (default: the store when it is"
            + " PostgreSQL; with a SQLite store this engine takes every partition and must be the only one).")
    String leases;

    @Option(names = "--partitions", defaultValue = "16", description = "Partitions; must equal the gateways' (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--engine-id", description = "MQTT client id suffix, unique per engine (default: engine-<pid>).")
    String engineId;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
            description = "Serve GET /metrics and /health/live|ready here, e.g. 127.0.0.1:7702 (default: not served).")
    String admin;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "A file holding the token every --admin request"
            + " but /health/live|ready must carry (Authorization: Bearer); required when --admin is not a loopback address.")
    java.nio.file.Path adminTokenFile;

    @Option(names = "--store-retry", defaultValue = "1s",
            description = "After a failed store commit, wait this long before trying again, doubling (default ${DEFAULT-VALUE}).")
    String storeRetry;

    @Option(names = "--store-retry-max", defaultValue = "30s",
            description = "Longest wait between store attempts while the store is DOWN (default ${DEFAULT-VALUE}).")
    String storeRetryMax;

    @Option(names = "--topic-prefix", defaultValue = "meterhub", description = "Topic prefix (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--alarms-mqtt", paramLabel = "URI",
            description = "Broker for this engine's process alarms (STORE_DOWN), topic <prefix>alarms/engine-intake-<id>,"
                    + " e.g. tcp://127.0.0.1:1883 (default: the --intake broker; 'none' for none).")
    String alarmsMqtt;

    @Option(names = "--alarms-topic-prefix", defaultValue = "", description = "Put before alarms/ (default none).")
    String alarmsTopicPrefix;

    @picocli.CommandLine.Mixin
    org.meterhub.app.alarm.DeadlinesOption deadlines;

    @picocli.CommandLine.Mixin
    org.meterhub.app.config.RulesConfigOption rulesConfig = new org.meterhub.app.config.RulesConfigOption();

    @Option(names = "--store-down-alarm-after", defaultValue = "60s",
            description = "Raise STORE_DOWN when the store has been DOWN this long (default ${DEFAULT-VALUE}).")
    String storeDownAlarmAfter;

    @Override
    public Integer call() throws Exception {
        org.meterhub.app.read.AdminServer.Option adminOption = org.meterhub.app.read.AdminServer.Option.of(admin, adminTokenFile);
        IntakeSettings settings;
        String broker;
        org.meterhub.engine.ingest.StoreRetry retry;
        try {
            retry = new org.meterhub.app.config.GatewayConfig.StoreRetrySection(
                    org.meterhub.app.config.Durations.parse(storeRetry),
                    org.meterhub.app.config.Durations.parse(storeRetryMax)).toRetry();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store-retry/--store-retry-max: " + e.getMessage());
        }
        try {
            broker = JournalWiring.brokerUri(intake);
            String id = engineId != null ? engineId : "engine-" + ProcessHandle.current().pid();
            settings = new IntakeSettings(broker, "meterhub-" + Topics.checkGatewayId(id), new Topics(topicPrefix),
                    partitions, 256, Duration.ofSeconds(2), Duration.ofSeconds(5));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("engine-intake: " + e.getMessage());
        }
        org.meterhub.engine.tls.BrokerTls pem = tls.load();
        if (pem != null && !broker.startsWith("ssl://")) {
            throw new ConfigException("--intake: " + intake + " is plain MQTT but --mqtt-ca-file is given; use mqtts://");
        }
        try {
            settings = settings.withTls(pem);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("engine-intake: " + e.getMessage());
        }
        GatewayConfig.AlarmsSection alarmSettings;
        try {
            String alarmBroker = alarmsMqtt == null ? broker : "none".equals(alarmsMqtt) ? null : alarmsMqtt;
            alarmSettings = new GatewayConfig.AlarmsSection(alarmBroker, alarmsTopicPrefix, settings.clientId() + "-alarms",
                    org.meterhub.app.config.Durations.parse(storeDownAlarmAfter));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--alarms-mqtt/--alarms-topic-prefix/--store-down-alarm-after: " + e.getMessage());
        }
        // Validation flags, corrections of late readings, meter alarms and converter samples go to the store, as the
        // single box's: visible in queries and the console, and nothing of them grows in this process's memory.
        // Leak (per medium and class), evc, zone and deadline settings from --config's gateway YAML, as the single box's.
        IngestRules.Options ruleOptions = rulesConfig.options(deadlines);
        rulesConfig.recordAtStart(store, deadlines);
        String leaseUrl = leases != null ? leases : store.startsWith("jdbc:postgresql:") ? store : null;
        MeterStore db = CliArgs.store(store);
        if (db instanceof PostgresStore pg) {
            pg.maintainClosedPartitions(Duration.ofHours(1)); // per-meter indexes of days that have passed
        }
        PartitionLeases lease;
        try {
            lease = leaseUrl != null ? new PgAdvisoryLeases(leaseUrl, partitions) : PartitionLeases.all(partitions);
        } catch (IllegalArgumentException e) {
            db.close();
            throw new ConfigException("--leases: " + e.getMessage());
        }
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(30));
        StatusLine status = new StatusLine(System.out);
        // Appends are fenced by the partitions' tokens in the store itself (lease_fences): an engine
        // whose lease broke mid-commit cannot write intervals computed from stale state.
        LeaseFences fences = new LeaseFences(db, settings.clientId(), partitions);
        MeterStore fenced = new FencedStore(db, fences);
        org.meterhub.engine.ingest.StoreHealth health = new org.meterhub.engine.ingest.StoreHealth(db.describe(),
                java.time.Clock.systemUTC());
        org.meterhub.engine.jdbc.SqlDatabase alarmDb = org.meterhub.engine.jdbc.SqlDatabase.open(store);
        try (db; alarmDb; AlarmPublishing alarms = AlarmPublishing.start(alarmSettings,
                alarmSettings.mqtt() != null && alarmSettings.mqtt().startsWith("ssl://") ? pem : null);
             MqttIntake in = new MqttIntake(settings, lease, fences, () -> pipeline(fenced, store, ruleOptions), retry,
                health).withAlarms(new StoredGatewayAlarms(new org.meterhub.engine.alarm.AlarmService(
                        new org.meterhub.engine.alarm.JdbcAlarmRepository(alarmDb),
                        ruleOptions.deadlines(), alarms.sink(), java.time.Clock.systemUTC())))
                .start();
             ProcessAlarms processAlarms = alarms.processAlarms(settings.clientId().replaceFirst("^meterhub-", "engine-intake-"),
                     java.util.List.of(ProcessAlarms.storeDown(health, alarmSettings.storeDownAfter())));
             // the gateways' status reports, for the console's Gateways page (docs/console.md)
             org.meterhub.engine.jdbc.SqlDatabase statusDb = SqlDatabase.isPrivateMemory(store) ? null : SqlDatabase.open(store);
             org.meterhub.engine.gateways.GatewayStatusIntake gatewayStatus = statusDb == null ? null
                     : new org.meterhub.engine.gateways.GatewayStatusIntake(broker, settings.clientId() + "-status",
                             settings.topics(), new org.meterhub.engine.gateways.JdbcGatewayStatus(statusDb)).start();
             org.meterhub.app.read.AdminServer ops = org.meterhub.app.read.AdminServer.forOption(adminOption,
                     new HealthEndpoint(null, java.util.List.of(new HealthEndpoint.Check("store", () -> !health.down()),
                             new HealthEndpoint.Check("broker", in::connected))))) {
            if (ops != null) System.out.printf("metrics and health on http://%s:%d/metrics%n",
                    ops.address().getHostString(), ops.address().getPort());
            System.out.printf("meterhub engine-intake %s: %d partitions from %s (leases %s), store %s%n",
                    settings.clientId(), partitions, intake, leaseUrl != null ? "PostgreSQL advisory locks" : "all, unshared",
                    db.describe());
            while (!signal.await(Duration.ofSeconds(5))) {
                var s = in.stats();
                status.show(String.format("broker %s  partitions %d  batches %d  readings %d  acks %d  dropped %d"
                                + "  rejected %d  store failures %d  fenced out %d  set aside %d  gateway alarms %d  %s",
                        in.connected() ? "up" : "DOWN",
                        s.partitionsHeld(), s.batches(), s.readings(), s.acksSent(), s.dropped(), s.rejected(),
                        s.storeFailures(), s.fencedOut(), health.rejected(), s.alarms(), health.status()));
            }
            status.end();
        } finally {
            signal.finished();
        }
        return 0;
    }

    /**
     * A pipeline into the fenced store whose rule records (flags, corrections, alarms) go to the store at
     * {@code storeUrl} through their own connection, closed with the pipeline: {@link IngestRules#forStore}, as the
     * single box and {@code mqtt-gateway}. Meter alarms are stored, not published (the alarm topic carries this
     * engine's own process alarms). A fresh one after every store failure or change of partitions.
     */
    public static IngestPipeline pipeline(MeterStore fenced, String storeUrl, IngestRules.Options options) {
        return IngestPipeline.withRules(fenced, IngestRules.forStore(storeUrl, org.meterhub.engine.alarm.AlarmSink.none(),
                java.time.Clock.systemUTC(), options));
    }
}
