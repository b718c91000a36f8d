package org.meterhub.app.query;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meterhub query flags}: a meter's flagged or estimated readings and intervals. */
@Command(name = "flags", mixinStandardHelpOptions = true,
        description = "Readings and consumption intervals of one meter that carry a flag or are estimated.")
public final class FlagsCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--meter", required = true, description = "Meter id.")
    String meter;

    @Option(names = "--from", required = true, description = "Start (inclusive).")
    String from;

    @Option(names = "--to", required = true, description = "End (exclusive).")
    String to;

    @Override
    public Integer call() {
        Instant[] r = options.range(from, to);
        return options.run("flags", meter, "from=" + from + "&to=" + to, q -> q.flags(meter, r[0], r[1]));
    }
}
