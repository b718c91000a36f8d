package org.meterhub.app.query;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.query.Bucket;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.store.MeterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meterhub query consumption}: a meter's consumption series from the store, with units. */
@Command(name = "consumption", mixinStandardHelpOptions = true,
        description = "Consumption of one meter per hour, day or month (days and months in the utility's zone).")
public final class ConsumptionCommand implements Callable<Integer> {
    enum Format { table, csv, json }

    @Option(names = "--meter", required = true, description = "Meter id.")
    String meter;

    @Option(names = "--from", required = true, description = "Start (inclusive): 2026-11-24, 2026-11-24T08:00 or with offset.")
    String from;

    @Option(names = "--to", required = true, description = "End (exclusive), same forms as --from.")
    String to;

    @Option(names = "--step", defaultValue = "1h", description = "1h, 1d or 1mo (default ${DEFAULT-VALUE}).")
    String step;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--zone", defaultValue = "Asia/Shanghai", description = "The utility's time zone (default ${DEFAULT-VALUE}).")
    String zoneName;

    @Override
    public Integer call() {
        ZoneId zone = CliArgs.zone(zoneName);
        Step s;
        try {
            s = Step.parse(step);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--step: " + e.getMessage());
        }
        Instant start = TimeArgs.parse("--from", from, zone);
        Instant end = TimeArgs.parse("--to", to, zone);
        if (!end.isAfter(start)) throw new ConfigException("--to must be after --from");
        try (MeterStore db = CliArgs.existingStore(store)) {
            if (db.meter(meter).isEmpty() && db.lastReading(meter).isEmpty()) {
                throw new ConfigException("--meter: no meter " + meter + " in " + db.describe());
            }
            List<Bucket> buckets = ConsumptionQuery.series(db, meter, start, end, s, zone);
            print(System.out, buckets, zone);
        }
        return 0;
    }

    private void print(PrintStream out, List<Bucket> buckets, ZoneId zone) {
        DateTimeFormatter f = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(zone);
        long total = ConsumptionQuery.total(buckets);
        switch (format) {
            case csv -> {
                out.println("meter,start,end,volume_m3,volume_l,flags");
                for (Bucket b : buckets) {
                    out.println(meter + "," + f.format(b.start()) + "," + f.format(b.end()) + "," + m3(b.volumeL()) + ","
                            + b.volumeL() + "," + flags(b, "|"));
                }
            }
            case json -> {
                out.println("{\"meter\":\"" + meter + "\",\"unit\":\"m3\",\"step\":\"" + step + "\",\"total_m3\":\""
                        + m3(total) + "\",\"total_l\":" + total + ",\"series\":[");
                for (int i = 0; i < buckets.size(); i++) {
                    Bucket b = buckets.get(i);
                    out.println("  {\"start\":\"" + f.format(b.start()) + "\",\"end\":\"" + f.format(b.end())
                            + "\",\"volume_m3\":\"" + m3(b.volumeL()) + "\",\"volume_l\":" + b.volumeL()
                            + ",\"flags\":[" + b.flags().stream().map(x -> "\"" + x.name().toLowerCase() + "\"")
                            .sorted().collect(Collectors.joining(",")) + "]}" + (i + 1 < buckets.size() ? "," : ""));
                }
                out.println("]}");
            }
            default -> {
                out.printf("meter %s, consumption per %s (zone %s)%n", meter, step, zone);
                out.printf("%-25s  %12s  %s%n", "start", "volume m³", "flags");
                for (Bucket b : buckets) {
                    out.printf("%-25s  %12s  %s%n", f.format(b.start()), m3(b.volumeL()), flags(b, ","));
                }
                out.printf("%-25s  %12s%n", "total", m3(total));
            }
        }
    }

    private static String flags(Bucket b, String sep) {
        return b.flags().stream().map(x -> x.name().toLowerCase()).sorted().collect(Collectors.joining(sep));
    }

    private static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }
}
