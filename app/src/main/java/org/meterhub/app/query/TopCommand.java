package org.meterhub.app.query;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.meterhub.app.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meterhub query top}: the meters that used most in a range. */
@Command(name = "top", mixinStandardHelpOptions = true, description = "The largest consumers in a range, largest first.")
public final class TopCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--from", required = true, description = "Start (inclusive).")
    String from;

    @Option(names = "--to", required = true, description = "End (exclusive).")
    String to;

    @Option(names = "--limit", defaultValue = "10", description = "How many meters (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) {
            throw new ConfigException("--limit: expected 1 to 10000, got " + limit);
        }
        Instant[] r = options.range(from, to);
        return options.run("top", "*", "from=" + from + "&to=" + to + "&limit=" + limit,
                q -> q.topConsumers(r[0], r[1], limit));
    }
}
