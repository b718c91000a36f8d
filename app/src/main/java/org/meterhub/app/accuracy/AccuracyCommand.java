package org.meterhub.app.accuracy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.accuracy.AccuracyCsv;
import org.meterhub.engine.accuracy.AccuracyException;
import org.meterhub.engine.accuracy.AccuracyRules;
import org.meterhub.engine.accuracy.AccuracyTest;
import org.meterhub.engine.accuracy.AccuracyVerdict;
import org.meterhub.engine.accuracy.InServiceMonitor;
import org.meterhub.engine.accuracy.JdbcAccuracyTests;
import org.meterhub.engine.accuracy.MonitoringRules;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meterhub accuracy import|show}: meter test records and their verdicts (docs/accuracy.md). */
@Command(name = "accuracy", mixinStandardHelpOptions = true,
        description = "Import meter accuracy tests (CSV) and show each point's error, flow zone, limit and the verdict.",
        subcommands = {AccuracyCommand.Import.class, AccuracyCommand.Show.class, AccuracyCommand.Suspects.class})
public final class AccuracyCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Store the tests of a CSV file (" + AccuracyCsv.HEADER + "); the whole file is checked first, all or nothing.")
    static final class Import implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "CSV, one row per test point.")
        Path file;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--rules", paramLabel = "FILE", description = "Meter rules YAML (class limits, dispute settings); default: the built-in defaults.")
        Path rules;

        @Spec
        CommandSpec spec;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() throws IOException {
            AccuracyRules r = MeterRulesFile.load(rules);
            List<AccuracyTest> tests;
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                tests = AccuracyCsv.parse(file.toString(), in);
            } catch (NoSuchFileException e) {
                throw new ConfigException(file + ": no such file");
            } catch (AccuracyException e) {
                throw new ConfigException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(store, db -> {
                List<AccuracyTest> saved = new JdbcAccuracyTests(db).saveAll(tests, clock.instant());
                for (AccuracyTest t : saved) {
                    AccuracyVerdict v = AccuracyVerdict.judge(t, r);
                    out.printf("test %d  meter %s  %s  %s  %d points: %s%n", t.testId(), t.meterId(), t.testDate(), t.lab(), t.points().size(),
                            v.summary());
                }
                out.printf("imported %d tests from %s%n", saved.size(), file);
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A meter's tests point by point: error, flow zone, the limit that applies, verdict.")
    static final class Show implements Callable<Integer> {
        @Option(names = "--meter", required = true, description = "Meter id.")
        String meter;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--rules", paramLabel = "FILE", description = "Meter rules YAML (class limits); default: the built-in defaults.")
        Path rules;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            AccuracyRules r = MeterRulesFile.load(rules);
            PrintWriter out = spec.commandLine().getOut();
            return Stores.with(store, db -> {
                List<AccuracyTest> tests = new JdbcAccuracyTests(db).forMeter(meter);
                if (tests.isEmpty()) throw new ConfigException("no accuracy test of meter " + meter + "; import one with meterhub accuracy import FILE");
                for (AccuracyTest t : tests) print(out, AccuracyVerdict.judge(t, r));
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "suspects", mixinStandardHelpOptions = true,
            description = "In-service monitoring, each suspect with its evidence: meters that stopped registering while supplied,"
                    + " meters of districts losing beyond the uncertainty band, meters differing from their check meter beyond the limit.")
    static final class Suspects implements Callable<Integer> {
        @Option(names = "--from", required = true, description = "First day, YYYY-MM-DD (the store's zone).")
        String from;

        @Option(names = "--to", required = true, description = "Last day, YYYY-MM-DD.")
        String to;

        @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
        String store;

        @Option(names = "--rules", paramLabel = "FILE", description = "Meter rules YAML (class limits, monitoring: check meters, district settings).")
        Path rules;

        @Option(names = "--format", defaultValue = "text", description = "text, csv or json (default ${DEFAULT-VALUE}).")
        String format;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var first = Stores.day("--from", from);
            var last = Stores.day("--to", to);
            if (!List.of("text", "csv", "json").contains(format)) throw new ConfigException("--format: expected text, csv or json, got \"" + format + "\"");
            AccuracyRules accuracy = MeterRulesFile.load(rules);
            MonitoringRules monitoring = MeterRulesFile.monitoring(rules);
            PrintWriter out = spec.commandLine().getOut();
            try (TimeSeriesStore db = CliArgs.existingStore(store)) {
                List<InServiceMonitor.Suspect> s = new InServiceMonitor(db).suspects(first, last, accuracy, monitoring);
                switch (format) {
                    case "csv" -> {
                        out.println("meter,account,kind,evidence");
                        for (InServiceMonitor.Suspect x : s) {
                            out.println(csv(x.meterId()) + "," + csv(x.accountId()) + "," + x.kind() + "," + csv(x.evidence()));
                        }
                    }
                    case "json" -> {
                        List<Map<String, String>> rows = new ArrayList<>();
                        for (InServiceMonitor.Suspect x : s) {
                            Map<String, String> row = new LinkedHashMap<>();
                            row.put("meter", x.meterId());
                            row.put("account", x.accountId());
                            row.put("kind", x.kind());
                            row.put("evidence", x.evidence());
                            rows.add(row);
                        }
                        try {
                            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
                        } catch (JsonProcessingException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    default -> {
                        out.printf("suspect meters %s..%s: %d%n", first, last, s.size());
                        for (InServiceMonitor.Suspect x : s) {
                            out.printf("%-16s %-14s %-20s %s%n", x.meterId(), x.accountId() == null ? "-" : x.accountId(), x.kind(), x.evidence());
                        }
                    }
                }
                out.flush();
                return 0;
            } catch (AccuracyException | IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }

        private static String csv(String v) {
            if (v == null) return "";
            return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
        }
    }

    static void print(PrintWriter out, AccuracyVerdict v) {
        AccuracyTest t = v.test();
        out.printf("test %d  meter %s  %s  lab %s  Qmin %s  Qt %s  Qmax %s m3/h  (%s)%n", t.testId(), t.meterId(), t.testDate(), t.lab(),
                t.qminM3h().toPlainString(), v.qtM3h().stripTrailingZeros().toPlainString(), t.qmaxM3h().toPlainString(), t.source());
        out.printf("%2s %10s %-12s %12s %12s %9s %8s%n", "#", "flow m3/h", "zone", "reference L", "meter L", "error %", "limit %");
        for (AccuracyVerdict.PointResult p : v.points()) {
            out.printf("%2d %10s %-12s %12s %12s %9s %8s %s%n", p.point().no(), p.point().flowM3h().toPlainString(), p.zone().shown(),
                    BigDecimal.valueOf(p.point().referenceMl(), 3).toPlainString(), BigDecimal.valueOf(p.point().meterMl(), 3).toPlainString(),
                    (p.errorPercent().signum() > 0 ? "+" : "") + p.errorPercent().toPlainString(),
                    "±" + p.limitPercent().stripTrailingZeros().toPlainString(), p.within() ? "within" : "OUTSIDE");
        }
        out.printf("verdict: %s%n", v.summary());
    }
}
