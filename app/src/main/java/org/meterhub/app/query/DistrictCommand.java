package org.meterhub.app.query;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meterhub query district}: consumption of a district's meters and its balance against the inlets. */
@Command(name = "district", mixinStandardHelpOptions = true,
        description = "Consumption of each customer meter in a district, and the balance: inlet − customers = loss.")
public final class DistrictCommand implements Callable<Integer> {
    @Mixin
    StoreOptions options;

    @Option(names = "--district", required = true, description = "District id.")
    String district;

    @Option(names = "--from", required = true, description = "Start (inclusive).")
    String from;

    @Option(names = "--to", required = true, description = "End (exclusive).")
    String to;

    @Option(names = "--balance-only", description = "Only the balance, not every meter.")
    boolean balanceOnly;

    @Override
    public Integer call() {
        Instant[] r = options.range(from, to);
        return options.run("district", "district:" + district, "from=" + from + "&to=" + to,
                q -> balanceOnly ? q.balance(district, r[0], r[1]) : q.district(district, r[0], r[1]));
    }
}
