package org.meterhub.app.query;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meterhub query health}: last seen, battery, valve and read success rate of a meter. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Last seen, battery, valve and read success rate of one meter (default: the last 7 days).")
public final class HealthCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--meter", required = true, description = "Meter id.")
    String meter;

    @Option(names = "--from", description = "Start (inclusive); default 7 days before --to.")
    String from;

    @Option(names = "--to", description = "End (exclusive); default now.")
    String to;

    @Option(names = "--interval", defaultValue = "1h", description = "Expected read interval (default ${DEFAULT-VALUE}).")
    String interval;

    @Override
    public Integer call() {
        Instant end = to == null ? Instant.now() : options.time("--to", to);
        Instant start = from == null ? end.minus(Duration.ofDays(7)) : options.time("--from", from);
        Instant[] r = StoreOptions.checkRange(start, end);
        Duration every;
        try {
            every = Durations.parse(interval);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--interval: " + e.getMessage());
        }
        if (every.isZero() || every.isNegative()) {
            throw new ConfigException("--interval: must be positive");
        }
        return options.run("health", meter, "from=" + r[0] + "&to=" + r[1] + "&interval=" + interval,
                q -> q.health(meter, r[0], r[1], every));
    }
}
