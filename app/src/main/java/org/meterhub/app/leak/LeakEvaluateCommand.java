package org.meterhub.app.leak;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.engine.leak.LeakEvaluation;
import org.meterhub.engine.leak.LeakProfile;
import org.meterhub.simulators.usage.LeakScenarioFleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meterhub leak evaluate}: runs the engine's leak detectors and two simple baselines over
 * hourly readings and scores them against labelled leaks. Without {@code --store} the readings come
 * from the simulated households of {@link LeakScenarioFleet} (its labels are the truth unless
 * {@code --truth} names another file); with {@code --store} from a store's readings, scored against
 * {@code --truth} (a utility's own labelled events: {@code meter,start,end[,rate_lph]}). {@code --medium gas}
 * scores gas households with gas leaks in gas bands, through the same path.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score leak detection (recall by leak size, precision, false alarms per 10,000 meter-days, "
                + "median time to detect) against labelled leaks, beside two simple baselines.")
public final class LeakEvaluateCommand implements Callable<Integer> {

    @Option(names = "--truth", description = "Labelled leaks, CSV meter,start,end[,rate_lph]; times ISO with offset or in --zone.")
    Path truth;

    @Option(names = "--store", description = "Score the readings in this store (needs --truth); default: simulated households.")
    String store;

    @Option(names = "--write-truth", description = "Write the simulated fleet's labels to this CSV.")
    Path writeTruth;

    @Option(names = "--meters", defaultValue = "2000", description = "Simulated meters (default ${DEFAULT-VALUE}).")
    int meters;

    @Option(names = "--days", defaultValue = "180", description = "Simulated days (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--seed", defaultValue = "20251115", description = "Simulation seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start", defaultValue = "2025-09-01T00:00:00Z", description = "Simulation start (default ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--zone", defaultValue = "Europe/Athens", description = "The utility's zone: night windows, local times in --truth (default ${DEFAULT-VALUE}).")
    String zone;

    @Option(names = "--config", description = "A gateway YAML whose leak: section sets the thresholds.")
    Path config;

    @Option(names = "--medium", defaultValue = "water", description = "water: the mixed fleet (water households, some"
            + " leaking, and leak-free gas controls) scored in water's bands; gas: gas households only (cooking, hot water,"
            + " 60 %% with a winter boiler), 30 %% leaking 10-200 L/h, scored in gas bands (default ${DEFAULT-VALUE}).")
    String medium;

    @Option(names = "--grace", defaultValue = "12h", description = "An alarm up to this long after a labelled end still finds it (default ${DEFAULT-VALUE}).")
    String grace;

    @Spec
    CommandSpec spec;

    /** Gas households only, 30 % of them leaking (the water fleet's share), 10 % with data faults. */
    public static LeakScenarioFleet.Settings gasFleet(int meters, int days, long seed, Instant start, ZoneId zone) {
        return new LeakScenarioFleet.Settings(meters, days, seed, start, zone, 21, 0.3, 1.0, 0.1, 0.3);
    }

    @Override
    public Integer call() throws IOException {
        ZoneId z = CliArgs.zone(zone);
        Duration g = org.meterhub.app.config.Durations.parse(grace);
        LeakProfile.Settings settings = config == null ? LeakProfile.Settings.defaults()
                : new ConfigLoader().load(config, GatewayConfig.class).leak().settings();
        boolean gas = switch (medium.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "water" -> false;
            case "gas" -> true;
            default -> throw new ConfigException("--medium: expected water or gas, got \"" + medium + "\"");
        };
        LeakEvaluation.Bands bands = gas ? LeakEvaluation.GAS : LeakEvaluation.WATER;
        PrintWriter out = spec.commandLine().getOut();
        List<LeakEvaluation.Truth> labels;
        LeakEvaluation eval;
        String source;
        if (store != null) {
            if (truth == null) throw new ConfigException("--store: needs --truth, the labelled leaks to score against");
            labels = TruthFile.read(truth, z);
            eval = LeakEvaluationRun.fromStore(store, settings, z);
            source = "store " + store;
        } else {
            Instant t0;
            try {
                t0 = Instant.parse(start);
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException("--start: expected an ISO time such as 2025-09-01T00:00:00Z, got \"" + start + "\"");
            }
            if (meters < 1 || days < 30) throw new ConfigException("--meters: at least 1, --days: at least 30");
            LeakScenarioFleet fleet = new LeakScenarioFleet(gas ? gasFleet(meters, days, seed, t0, z)
                    : new LeakScenarioFleet.Settings(meters, days, seed, t0, z, 21, 0.3, 0.2, 0.1));
            if (writeTruth != null) TruthFile.write(writeTruth, fleet.leaks());
            labels = truth != null ? TruthFile.read(truth, z) : LeakEvaluationRun.truthOf(fleet);
            eval = LeakEvaluationRun.simulate(fleet, settings);
            source = String.format("simulated: %d %shouseholds x %d days from %s (%s), seed %d", meters, gas ? "gas " : "",
                    days, start, z, seed);
        }
        LeakEvaluationRun.print(out, source, eval, labels, g, bands);
        out.flush();
        return 0;
    }
}
