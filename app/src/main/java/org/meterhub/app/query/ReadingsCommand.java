package org.meterhub.app.query;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meterhub query readings}: a meter's raw register readings with their flags. */
@Command(name = "readings", mixinStandardHelpOptions = true, description = "Raw register readings of one meter, with flags.")
public final class ReadingsCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--meter", required = true, description = "Meter id.")
    String meter;

    @Option(names = "--from", required = true, description = "Start (inclusive): 2026-11-24, 2026-11-24T08:00 or with offset.")
    String from;

    @Option(names = "--to", required = true, description = "End (exclusive), same forms as --from.")
    String to;

    @Override
    public Integer call() {
        Instant[] r = options.range(from, to);
        return options.run("readings", meter, "from=" + from + "&to=" + to, q -> q.readings(meter, r[0], r[1]));
    }
}
