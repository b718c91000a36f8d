package org.meterhub.app.importing;

import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.meterhub.app.config.CliArgs;
import org.meterhub.app.config.ConfigException;
import org.meterhub.app.config.ConfigLoader;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.runtime.ProgressBar;
import org.meterhub.engine.alarm.AlarmSink;
import org.meterhub.engine.importing.ImportConflict;
import org.meterhub.engine.importing.ImportConflicts;
import org.meterhub.engine.importing.ImportException;
import org.meterhub.engine.importing.JdbcImportConflicts;
import org.meterhub.engine.importing.MeterSpec;
import org.meterhub.engine.importing.MetersFile;
import org.meterhub.engine.importing.ReadingsCsv;
import org.meterhub.engine.importing.ReadingsImport;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.ingest.StoreRetry;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.TimeSeriesStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meterhub import readings FILE.csv}: a long-format readings file through the live ingest
 * pipeline ({@link ReadingsImport}), with progress, a summary and a rejects CSV.
 */
@Command(name = "readings", mixinStandardHelpOptions = true,
        description = "Import a readings file (one reading a row: meter,time,register,unit) through the engine's pipeline:"
                + " consumption, validation, leak detection and alarms as for live data.")
public final class ImportReadingsCommand implements Callable<Integer> {
    private static final int SHOWN = 20;

    @Parameters(index = "0", paramLabel = "FILE.csv", description = "The readings, with a header line; each meter's rows in time order.")
    Path file;

    @Option(names = "--store", defaultValue = "jdbc:sqlite:data/meterhub.db", description = "Store URL (default ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--zone", description = "The utility's zone: local times in the file, night windows, days (default: --config's zone, else Asia/Shanghai).")
    String zone;

    @Option(names = "--medium", description = "water, gas or heat: the medium of meters not in --meters (no default).")
    String medium;

    @Option(names = "--meter-class", description = "Class of meters not in --meters: " + "DN15..DN40, G1.6..G10, qp0.6..qp2.5 (implies the medium).")
    String meterClass;

    @Option(names = "--meters", description = "CSV meter,medium,class: each meter's medium and class.")
    Path meters;

    @Option(names = "--columns", description = "File column names, e.g. meter=meter_no,time=read_at,register=value,unit=uom.")
    String columns;

    @Option(names = "--unit", description = "m3 or L: the unit of every register when the file has no unit column.")
    String unit;

    @Option(names = "--rejects", description = "Where rejected rows go (default: FILE.rejects.csv next to the input).")
    Path rejects;

    @Option(names = "--config", description = "A gateway YAML whose zone, leak, valve and evc settings the engine's rules use.")
    Path config;

    @Option(names = "--store-retry", defaultValue = "1s",
            description = "After a failed store commit, wait this long before reading on from the last checkpoint, doubling (default ${DEFAULT-VALUE}).")
    String storeRetry;

    @Option(names = "--store-retry-max", defaultValue = "30s",
            description = "Longest wait between store attempts while the store is DOWN (default ${DEFAULT-VALUE}).")
    String storeRetryMax;

    @Spec
    CommandSpec spec;

    Clock clock = Clock.systemUTC();
    boolean terminal = ProgressBar.onTerminal();
    /** The store's state during the import (set when it starts; read by tests). */
    volatile StoreHealth health;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IngestRules.Options options = config == null ? IngestRules.Options.defaults()
                : new ConfigLoader().load(config, GatewayConfig.class).ruleOptions();
        if (zone != null) options = options.withZone(CliArgs.zone(zone));
        ZoneId z = options.zone();
        MeterSpec cliSpec = null;
        if (medium != null || meterClass != null) {
            try {
                cliSpec = MeterSpec.of(medium, meterClass);
            } catch (IllegalArgumentException e) {
                throw new ConfigException((meterClass != null ? "--meter-class: " : "--medium: ") + e.getMessage());
            }
        }
        ReadingsCsv.Unit fixedUnit = null;
        if (unit != null && (fixedUnit = ReadingsCsv.Unit.parse(unit)) == null) {
            throw new ConfigException("--unit: expected m3 or L, got \"" + unit + "\"");
        }
        StoreRetry retry;
        try {
            retry = new GatewayConfig.StoreRetrySection(org.meterhub.app.config.Durations.parse(storeRetry),
                    org.meterhub.app.config.Durations.parse(storeRetryMax)).toRetry();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--store-retry/--store-retry-max: " + e.getMessage());
        }
        Map<String, MeterSpec> specs = Map.of();
        try {
            if (meters != null) {
                try (Reader r = Files.newBufferedReader(meters, StandardCharsets.UTF_8)) {
                    specs = MetersFile.read(r, meters.toString());
                } catch (NoSuchFileException e) {
                    throw new ConfigException("--meters: " + meters + " does not exist");
                }
            }
            if (cliSpec == null && specs.isEmpty()) {
                throw new ConfigException("--medium: give --medium or --meter-class (or --meters FILE): no medium is assumed for imported meters");
            }
            if (!Files.isRegularFile(file)) throw new ConfigException(file + ": no such file");
            ReadingsImport.Settings settings = new ReadingsImport.Settings(z, ReadingsCsv.columns(columns), fixedUnit, cliSpec, specs);
            Path rejectsPath = rejects != null ? rejects : defaultRejects(file);
            Files.deleteIfExists(rejectsPath);
            return run(settings, options, retry, rejectsPath, out, err);
        } catch (ImportException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    static Path defaultRejects(Path input) {
        String name = input.getFileName().toString();
        String stem = name.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        return input.resolveSibling(stem + ".rejects.csv");
    }

    private int run(ReadingsImport.Settings settings, IngestRules.Options options, StoreRetry retry, Path rejectsPath,
                    PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        long size = Files.size(file);
        long started = System.nanoTime();
        TimeSeriesStore db = CliArgs.store(store);
        SqlDatabase conflictDb = SqlDatabase.isPrivateMemory(store) ? null : SqlDatabase.open(store);
        ImportConflicts conflicts = conflictDb == null ? ImportConflicts.inMemory() : new JdbcImportConflicts(conflictDb);
        Rejects rejected = new Rejects(rejectsPath);
        List<ImportConflict> shownConflicts = new ArrayList<>();
        ProgressBar bar = new ProgressBar(err, terminal);
        // A store failure is a state, not an end: DOWN (one alarm), wait, read on from the last checkpoint.
        StoreHealth storeHealth = new StoreHealth(db.describe(), clock).listener(new StoreHealth.Listener() {
            @Override
            public void down(java.time.Instant since, String reason) {
                err.printf("store DOWN since %s (%s): the import waits, retrying with backoff, and reads on from its last checkpoint%n",
                        since, reason);
                err.flush();
            }

            @Override
            public void up(java.time.Instant since, java.time.Duration outage) {
                err.printf("store UP again after %d s: import resumed%n", outage.toSeconds());
                err.flush();
            }
        });
        this.health = storeHealth;
        CountingStream[] counted = new CountingStream[1];
        ReadingsImport.Source source = () -> {
            counted[0] = new CountingStream(Files.newInputStream(file));
            return new InputStreamReader(counted[0], StandardCharsets.UTF_8);
        };
        IngestPipeline.IngestStats st = new IngestPipeline.IngestStats();
        try (db; rejected; IngestRules rules = IngestRules.forStore(store, AlarmSink.none(), clock, options)) {
            ReadingsImport.Summary s = new ReadingsImport(settings, db, () -> ReadingsImport.pipeline(db, rules, st), conflicts,
                    clock, retry, storeHealth).run(source, file.getFileName().toString(),
                        new ReadingsImport.Listener() {
                            @Override
                            public void progress(long rows, long chars) {
                                long rate = rate(rows, started);
                                // Bytes read run ahead of rows taken (buffers): 100 % only once everything is committed.
                                bar.update(Math.min(counted[0].count, size - 1), size, String.format("%,d rows, %,d rows/s", rows, rate),
                                        String.format("imported %,d rows, %,d rows/s", rows, rate));
                            }

                            @Override
                            public void rejected(long line, String reason, String row) {
                                rejected.add(line, reason, row);
                            }

                            @Override
                            public void conflict(ImportConflict c) {
                                if (shownConflicts.size() < SHOWN) shownConflicts.add(c);
                            }
                        });
            bar.update(size, size, String.format("%,d rows, %,d rows/s", s.rows(), rate(s.rows(), started)),
                    String.format("imported %,d rows, %,d rows/s", s.rows(), rate(s.rows(), started)));
            double secs = (System.nanoTime() - started) / 1e9;
            out.printf("imported %s (times in %s): %d rows in %.1f s (%,d rows/s)%n", file, settings.zone(), s.rows(), secs,
                    rate(s.rows(), started));
            out.printf("stored %d, duplicates %d, conflicts %d, rejected %d (of the stored: %d late, placed by correction;"
                            + " %d new meters; %d ambiguous local times)%n", s.stored(), s.duplicates(), s.conflicts(), s.rejected(),
                    s.late(), s.newMeters(), s.ambiguousLocalTimes());
            if (storeHealth.alarms() > 0 || s.resumes() > 0) {
                out.printf("store: %d outages (%d failed attempts), resumed by itself %d times from the last checkpoint;"
                                + " %d rows read again were stored before the failure (counted as stored, not duplicates)%n",
                        storeHealth.alarms(), storeHealth.failures(), s.resumes(), s.replayed());
            }
            out.printf("engine: %d consumption intervals, %d corrections, %d validation flags, %d leak detections%n",
                    st.intervals(), st.corrections(), st.flags(), st.leakDetections());
            if (s.conflicts() > 0) {
                out.printf("conflicts (first %d; all in the store's import_conflicts table, the stored reading kept):%n",
                        Math.min(SHOWN, s.conflicts()));
                for (ImportConflict c : shownConflicts) out.printf("  meter %s: %s%n", c.meterId(), c.reason());
            }
            if (s.rejected() > 0) {
                out.printf("rejected rows (first %d; all in %s):%n", Math.min(SHOWN, s.rejected()), rejectsPath);
                rejected.shown.forEach(l -> out.println("  " + l));
            }
            out.flush();
            return 0;
        } finally {
            if (conflictDb != null) conflictDb.close();
        }
    }

    private static long rate(long rows, long startedNanos) {
        long ns = Math.max(1, System.nanoTime() - startedNanos);
        return rows * 1_000_000_000L / ns;
    }

    /** Rejected rows: the first ones kept to print, all written to the rejects CSV (created on the first). */
    private static final class Rejects implements AutoCloseable {
        private final Path path;
        private final List<String> shown = new ArrayList<>();
        private BufferedWriter w;

        Rejects(Path path) {
            this.path = path;
        }

        void add(long line, String reason, String row) {
            if (shown.size() < SHOWN) shown.add("line " + line + ": " + reason);
            try {
                if (w == null) {
                    w = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
                    w.write("line,reason,row\n");
                }
                w.write(line + "," + quote(reason) + "," + quote(row) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + path, e);
            }
        }

        private static String quote(String s) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }

        @Override
        public void close() throws IOException {
            if (w != null) w.close();
        }
    }

    /** Bytes read so far, for the progress bar. */
    private static final class CountingStream extends FilterInputStream {
        volatile long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }
    }
}
