package org.meterhub.app.mqtt;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.runtime.ShutdownSignal;
import org.meterhub.app.runtime.StatusLine;
import org.meterhub.simulators.clock.SimClock;
import org.meterhub.simulators.mqtt.IcCardFleet;
import org.meterhub.simulators.mqtt.IcFleetSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Simulated IC-card prepaid gas meters publishing through a real MQTT broker. */
@Command(name = "mqtt-sim", mixinStandardHelpOptions = true,
        description = "Run 1 to 100000 simulated IC-card prepaid gas meters against an MQTT broker.")
public final class MqttSimCommand implements Callable<Integer> {
    @Option(names = "--broker", defaultValue = "tcp://127.0.0.1:1883", description = "Broker URI (default ${DEFAULT-VALUE}).")
    String broker;

    @picocli.CommandLine.Mixin
    MqttTlsOptions tls = new MqttTlsOptions();

    @Option(names = "--topic-prefix", defaultValue = "meters", description = "First topic level (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--meters", defaultValue = "100", description = "Meters, 1 to 100000 (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--clients", defaultValue = "4", description = "MQTT connections the meters share (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--speed", defaultValue = "60", description = "Simulated seconds per real second (default ${DEFAULT-VALUE}).")
    long speed;

    @Option(names = "--report-interval", defaultValue = "1h", description = "Simulated time between reports of a meter (default ${DEFAULT-VALUE}).")
    String reportInterval;

    @Option(names = "--faults", defaultValue = "0", description = "Meters per thousand with an injected fault (default ${DEFAULT-VALUE}).")
    int faults;

    @Option(names = "--balance-m3", defaultValue = "50", description = "Starting credit per meter, whole m³ (default ${DEFAULT-VALUE}).")
    long balanceM3;

    @Option(names = "--first-meter", defaultValue = "31000000000001", description = "First meter number (default ${DEFAULT-VALUE}).")
    long firstMeter;

    @Option(names = "--duration", defaultValue = "0", description = "How long to run; 0 until Ctrl-C (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--seed", defaultValue = "4", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--truth", defaultValue = "data/mqtt-sim-truth.csv", description = "Ground truth CSV at the end (default ${DEFAULT-VALUE}).")
    Path truth;

    @Option(names = "--batch-daily", description = "NB-IoT meters that freeze their register hourly and upload the day's"
            + " readings once a day (3 in 5 on time, 1 a day late every other day, 1 with a clock 40 days off); simulated"
            + " time starts back so that it ends at the present, and the hourly truth goes to --hourly-truth.")
    boolean batchDaily;

    @Option(names = "--hourly-truth", defaultValue = "data/mqtt-sim-hourly-truth.csv",
            description = "With --batch-daily: meter,kind,hour_start,litres at the end (default ${DEFAULT-VALUE}).")
    Path hourlyTruth;

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    @Override
    public Integer call() throws Exception {
        if (meters < 1 || meters > 100_000) throw new ConfigException("--meters: expected 1 to 100000, got " + meters);
        if (speed < 1) throw new ConfigException("--speed: expected at least 1, got " + speed);
        Duration interval = batchDaily ? Duration.ofDays(1) : MqttGatewayCommand.parse("--report-interval", reportInterval);
        Duration runFor = duration.equals("0") ? Duration.ZERO : MqttGatewayCommand.parse("--duration", duration);
        if (batchDaily && runFor.isZero()) throw new ConfigException("--batch-daily: give --duration (simulated time ends at the present)");
        IcFleetSettings s;
        try {
            s = IcFleetSettings.defaults(broker, "meterhub-sim-" + ProcessHandle.current().pid(), topicPrefix)
                    .withClients(clients).withReportInterval(interval).withFaultPermille(faults)
                    .withInitialBalanceL(balanceM3 * 1000).withMeterBase(firstMeter);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("mqtt-sim: " + e.getMessage());
        }
        // Daily-batch meters send the past: simulated time runs from (duration x speed) ago, at most 6 days (inside the
        // gateway's max-backfill), up to about now, so no upload is stamped ahead of the gateway's clock.
        Duration back = batchDaily ? min(runFor.multipliedBy(speed), Duration.ofDays(6)) : Duration.ZERO;
        SimClock clock = new SimClock(Instant.now().minus(back).truncatedTo(ChronoUnit.HOURS), speed);
        ShutdownSignal signal = new ShutdownSignal(Duration.ofSeconds(10));
        StatusLine status = new StatusLine(System.out);
        try (IcCardFleet fleet = IcCardFleet.create(meters, s, clock, ZoneId.of("Asia/Shanghai"), seed)) {
            if (batchDaily) fleet.batchDaily();
            org.meterhub.engine.tls.BrokerTls pem = tls.load();
            if (pem != null) {
                if (!broker.startsWith("ssl://")) throw new ConfigException("--broker: " + broker + " is plain MQTT but --mqtt-ca-file is given; use ssl://");
                fleet.useSocketFactory(pem.socketFactory());
            }
            fleet.connect();
            fleet.start();
            System.out.printf("mqtt-sim: %d meters on %d connections to %s, topics %s/<meter>/up|down|ack, %dx speed%n",
                    meters, clients, broker, topicPrefix, speed);
            long left = runFor.toMillis();
            while (!signal.await(Duration.ofMillis(runFor.isZero() ? 5000 : Math.max(1, Math.min(5000, left))))) {
                status.show(String.format("simulated %s  published %d  commands %d  acks %d  publish failures %d",
                        clock.instant().truncatedTo(ChronoUnit.MINUTES), fleet.published(), fleet.commandsReceived(),
                        fleet.acksSent(), fleet.publishFailures()));
                if (!runFor.isZero() && (left -= 5000) <= 0) break;
            }
            status.end();
            Path parent = truth.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (Writer w = Files.newBufferedWriter(truth)) {
                fleet.writeTruth(w);
            }
            System.out.println("ground truth written to " + truth);
            if (batchDaily) {
                Path hp = hourlyTruth.toAbsolutePath().getParent();
                if (hp != null) Files.createDirectories(hp);
                try (Writer w = Files.newBufferedWriter(hourlyTruth)) {
                    fleet.writeHourlyTruth(w);
                }
                System.out.println("hourly ground truth (daily-batch meters) written to " + hourlyTruth);
            }
        } finally {
            signal.finished();
        }
        return 0;
    }
}
