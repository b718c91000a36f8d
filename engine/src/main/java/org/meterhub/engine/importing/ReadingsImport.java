package org.meterhub.engine.importing;

import java.io.IOException;
import java.io.Reader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.ingest.StoreFailure;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.ingest.StoreRetry;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.TimeSeriesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports a long-format readings file ({@link ReadingsCsv}) through the live ingest pipeline:
 * consumption, validation, leak detection and alarms happen exactly as for polled readings.
 *
 * <p>Streams: one line at a time (lines longer than {@value #MAX_LINE} characters are rejected), the
 * pipeline's bounded queue is the back-pressure; what grows is one small entry per meter (its latest
 * time and register), as the pipeline's own per-meter state does. Assumed order: each meter's rows in
 * time order (the file sorted by time, or by meter then time). A row earlier than its meter's latest
 * reading is not lost: the pipeline is flushed, the store asked whether that time is held, and if not the
 * row goes to the pipeline as a late reading (its neighbours' consumption is corrected by a new
 * correction record). Such rows cost a flush each, so a file much out of order imports slowly.
 *
 * <p>Outcomes per row: stored (a new reading, source {@code MANUAL}); duplicate (the meter has a reading at
 * that time with the same register); conflict (same time, different register: the stored reading stays,
 * the row's value is an {@link ImportConflict}); rejected (with its line and reason). Single-threaded.
 *
 * <p><b>A store failure is a state, not an end</b> (with {@link #run(Source, String, Listener)}): the file is the
 * durable copy. Every {@link #CHECKPOINT} readings the pipeline is flushed and the line reached is a checkpoint
 * (everything before it committed). A failure that may pass ({@link StoreFailure#TRANSIENT}) makes the store DOWN
 * ({@link StoreHealth}), the import waits {@link StoreRetry}, throws the pipeline away (its per-meter state may be
 * ahead of the store), takes a fresh one and reads the file again from the checkpoint, with the per-meter state
 * and counters as they were there. The readings fed after the checkpoint were committed in order up to some point
 * (the pipeline commits in the order it was fed): each is looked up in the store until the first that is not there;
 * those found count as stored and {@code replayed}, not as duplicates of the file. A failure that will not pass
 * ({@link StoreFailure#PERMANENT}: a constraint, bad data) makes the import go over the rows since the checkpoint
 * again committing one reading at a time, and the row the store refuses is rejected with its reason; the rest flows.
 */
public final class ReadingsImport {
    private static final Logger log = LoggerFactory.getLogger(ReadingsImport.class);

    /** The longest line read; a longer one is rejected, not buffered. */
    public static final int MAX_LINE = 8_192;

    /** What the import is told. */
    public record Settings(ZoneId zone, Map<String, String> columns, ReadingsCsv.Unit fixedUnit, MeterSpec defaultSpec,
                           Map<String, MeterSpec> meters) {
        public Settings {
            Objects.requireNonNull(zone, "zone");
            Objects.requireNonNull(columns, "columns");
            meters = Map.copyOf(meters);
        }
    }

    /** Progress and rejected rows, as they happen. */
    public interface Listener {
        void progress(long rows, long chars);

        void rejected(long line, String reason, String row);

        /** A row whose register differs from the stored reading at the same time (recorded, not stored). */
        default void conflict(ImportConflict conflict) {
        }
    }

    /** Opens the file (again, after a store failure: it is read anew from its start and the rows up to the checkpoint skipped). */
    public interface Source {
        Reader open() throws IOException;
    }

    /**
     * The end result. {@code stored} counts only readings that were new to the store. {@code replayed}: of the stored,
     * those read again after a store failure that the store turned out to hold already (committed before it failed);
     * {@code resumes}: times the import went back to its last checkpoint.
     */
    public record Summary(long rows, long stored, long duplicates, long conflicts, long rejected, long late,
                          long ambiguousLocalTimes, long newMeters, long replayed, long resumes) {
    }


    /** Readings per store transaction when importing: larger than live polling's 2 000, for fewer commits. */
    public static final int BATCH = Integer.getInteger("meterhub.import.batch", 20_000);

    /**
     * Readings between checkpoints (pipeline flushes after which the line reached is known committed): two batches,
     * so the pipeline commits one while the next is read, and what a store failure makes read again stays bounded.
     */
    public static final int CHECKPOINT = Integer.getInteger("meterhub.import.checkpoint", 2 * BATCH);

    /** The live pipeline (same rules, same stages) with import-sized batches; closes {@code rules} with itself. */
    public static IngestPipeline pipeline(TimeSeriesStore store, IngestRules rules) {
        return new IngestPipeline(store, ConsumptionSettings.defaults(), rules, 4 * BATCH, BATCH, Duration.ofSeconds(1));
    }

    private final Settings settings;
    private final TimeSeriesStore store;
    private final Supplier<IngestPipeline> pipelines;
    private final boolean ownsPipelines;
    private final StoreRetry retry; // null: a store failure ends the import
    private final StoreHealth health;
    private final ImportConflicts conflicts;
    private final Clock clock;
    private IngestPipeline pipeline;

    private final Map<String, long[]> meters = new HashMap<>(); // {latest time ms, its register L}
    private final Map<String, String> refused = new HashMap<>(); // meter -> why its rows are rejected
    private final List<ImportConflict> pendingConflicts = new ArrayList<>();
    private long unflushed;
    private long rows, stored, duplicates, conflictCount, rejected, late, ambiguous, newMeters, replayed, resumes;

    // Checkpoint: every line up to it is done and what it fed committed; the state there, to go back to.
    private long checkpoint = 1;
    private long[] countersAt = counters();
    private final Map<String, long[]> undo = new HashMap<>(); // meter -> its state at the checkpoint (or its seed)
    private BitSet fed = new BitSet(); // line - checkpoint: rows fed to a pipeline since the checkpoint
    private long sinceCheckpoint;
    private long seen = 1; // the highest line ever done: its rejection or conflict was told already
    private boolean replaying; // fed rows since the checkpoint are looked up in the store until one is missing
    private long narrowUntil; // up to this line, each reading is committed alone (a permanent failure to pin down)
    private final Map<Long, String> storeRefused = new HashMap<>(); // line -> why the store will not take it
    private long currentLine; // the row being taken, or 0 between rows
    private String currentRow;
    private Duration backoff = Duration.ZERO;

    /** Into {@code pipeline}, which the caller closes; a store failure ends the import ({@link ImportException} aside). */
    public ReadingsImport(Settings settings, TimeSeriesStore store, IngestPipeline pipeline, ImportConflicts conflicts,
                          Clock clock) {
        this(settings, store, () -> pipeline, false, conflicts, clock, null, null);
        Objects.requireNonNull(pipeline, "pipeline");
    }

    /**
     * Rides out store failures ({@link #run(Source, String, Listener)}): a fresh pipeline from {@code pipelines} after
     * each (closed here; share the rules and stats, e.g. {@link #pipeline(TimeSeriesStore, IngestRules, IngestPipeline.IngestStats)}).
     */
    public ReadingsImport(Settings settings, TimeSeriesStore store, Supplier<IngestPipeline> pipelines,
                          ImportConflicts conflicts, Clock clock, StoreRetry retry, StoreHealth health) {
        this(settings, store, pipelines, true, conflicts, clock, Objects.requireNonNull(retry, "retry"),
                Objects.requireNonNull(health, "health"));
    }

    private ReadingsImport(Settings settings, TimeSeriesStore store, Supplier<IngestPipeline> pipelines, boolean owns,
                           ImportConflicts conflicts, Clock clock, StoreRetry retry, StoreHealth health) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = Objects.requireNonNull(store, "store");
        this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
        this.ownsPipelines = owns;
        this.conflicts = Objects.requireNonNull(conflicts, "conflicts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retry = retry;
        this.health = health;
    }

    /** An import pipeline (import-sized batches) sharing {@code rules} (left open) and {@code stats}. */
    public static IngestPipeline pipeline(TimeSeriesStore store, IngestRules rules, IngestPipeline.IngestStats stats) {
        return IngestPipeline.sharing(store, rules, stats, 4 * BATCH, BATCH, Duration.ofSeconds(1));
    }

    /**
     * Reads {@code in} to its end and waits until everything is committed; a store failure ends it.
     *
     * @param file the file's name, for conflicts and messages
     * @throws ImportException when the header lacks a column (nothing is imported)
     */
    public Summary run(Reader in, String file, Listener listener) throws IOException, InterruptedException {
        pass(in, file, listener);
        return summary();
    }

    /**
     * Reads the file to its end and waits until everything is committed, riding out store failures (with the
     * retrying constructor): the file is opened again from {@code source} after each and read from the checkpoint.
     */
    public Summary run(Source source, String file, Listener listener) throws IOException, InterruptedException {
        while (true) {
            try {
                try (Reader in = source.open()) {
                    pass(in, file, listener);
                }
                if (ownsPipelines) closePipeline();
                return summary();
            } catch (ImportException e) {
                throw e;
            } catch (RuntimeException e) {
                discardPipeline();
                if (retry == null || Thread.currentThread().isInterrupted()) throw e;
                StoreFailure kind = StoreFailure.of(e);
                if (kind == StoreFailure.TRANSIENT && !fromStore(e)) throw e; // e.g. the rejects file: not the store's
                if (kind == StoreFailure.TRANSIENT) {
                    backoff = retry.next(backoff);
                    health.failed(e, backoff);
                    log.info("import: store write failed ({}); reading {} again from line {} in {} ms", StoreFailure.reason(e),
                            file, checkpoint + 1, backoff.toMillis());
                    rollBack();
                    Thread.sleep(backoff.toMillis());
                } else if (currentLine == 0 || currentLine > narrowUntil) {
                    long upTo = Math.max(seen, currentLine);
                    if (narrowUntil >= upTo) throw e; // between rows, though each was committed alone: not a row's
                    narrowUntil = upTo;
                    log.warn("import: the store refused a reading for good ({}); lines {}..{} again, one reading at a time,"
                            + " to reject only the row it will not take", StoreFailure.reason(e), checkpoint + 1, narrowUntil);
                    rollBack();
                } else {
                    String reason = "the store refused it: " + StoreFailure.reason(e);
                    storeRefused.put(currentLine, reason);
                    listener.rejected(currentLine, reason, currentRow);
                    log.warn("import: line {} refused by the store for good: {}", currentLine, reason);
                    rollBack();
                }
            }
        }
    }

    private static boolean fromStore(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    private Summary summary() {
        return new Summary(rows, stored, duplicates, conflictCount, rejected, late, ambiguous, newMeters, replayed, resumes);
    }

    private void pass(Reader in, String file, Listener listener) throws IOException, InterruptedException {
        LineReader lines = new LineReader(in);
        String header = lines.next();
        ReadingsCsv csv = ReadingsCsv.header(file, header, settings.columns(), settings.fixedUnit());
        long lineNo = 1;
        boolean[] amb = new boolean[1];
        for (String line = lines.next(); line != null; line = lines.next()) {
            lineNo++;
            if (lineNo <= checkpoint) continue; // done before a store failure
            currentLine = lineNo;
            currentRow = line;
            if (lines.truncated()) {
                reject(listener, lineNo, "line longer than " + MAX_LINE + " characters", line);
            } else if (!line.isBlank()) {
                rows++;
                String refusedWhy = storeRefused.get(lineNo);
                if (refusedWhy != null) {
                    rejected++; // told when the store refused it
                } else {
                    try {
                        ReadingsCsv.Row row = csv.row(line);
                        long[] state = state(row.meterId());
                        amb[0] = false;
                        Instant t = ReadingsCsv.time(row.time(), settings.zone(), state == null ? Long.MIN_VALUE : state[0], amb);
                        if (amb[0]) ambiguous++;
                        take(row, t, state, file, lineNo, listener);
                    } catch (ReadingsCsv.RowException e) {
                        reject(listener, lineNo, e.getMessage(), line);
                    }
                }
                if ((rows & 4095) == 0) listener.progress(rows, lines.chars());
            }
            currentLine = 0;
            if (lineNo > seen) seen = lineNo;
            if (sinceCheckpoint >= CHECKPOINT || pendingConflicts.size() >= 1_000 || lineNo - checkpoint >= 10L * CHECKPOINT) {
                checkpoint(lineNo);
            }
        }
        checkpoint(lineNo);
        listener.progress(rows, lines.chars());
    }

    /** Commits what was fed and the conflicts found; every line up to {@code line} is done. */
    private void checkpoint(long line) throws InterruptedException {
        if (pipeline != null) pipeline.flush();
        unflushed = 0;
        saveConflicts();
        fed = line - checkpoint >= fed.length() ? new BitSet() : fed.get((int) (line - checkpoint), fed.length());
        checkpoint = line;
        countersAt = counters();
        undo.clear();
        sinceCheckpoint = 0;
        replaying = false;
        backoff = Duration.ZERO;
        if (health != null) health.committed();
    }

    /** Back to the checkpoint: its counters and per-meter state; what was fed since is looked up when read again. */
    private void rollBack() {
        long[] c = countersAt;
        rows = c[0];
        stored = c[1];
        duplicates = c[2];
        conflictCount = c[3];
        rejected = c[4];
        late = c[5];
        ambiguous = c[6];
        replayed = c[7];
        // newMeters is not rolled back: a meter registered before the failure stays registered
        undo.forEach(meters::put);
        undo.clear();
        pendingConflicts.clear();
        unflushed = 0;
        sinceCheckpoint = 0;
        replaying = true;
        currentLine = 0;
        resumes++;
    }

    private long[] counters() {
        return new long[] {rows, stored, duplicates, conflictCount, rejected, late, ambiguous, replayed};
    }

    private IngestPipeline pipeline() {
        if (pipeline == null) pipeline = pipelines.get();
        return pipeline;
    }

    private void closePipeline() {
        IngestPipeline p = pipeline;
        pipeline = null;
        if (p != null) p.close();
    }

    private void discardPipeline() {
        IngestPipeline p = pipeline;
        pipeline = null;
        if (p == null || !ownsPipelines) return;
        try {
            p.close();
        } catch (RuntimeException e) {
            log.debug("discarded import pipeline: {}", e.getMessage());
        }
    }

    private void reject(Listener listener, long line, String reason, String row) {
        rejected++;
        if (line > seen) { // a row read again after a store failure was counted the first time
            listener.rejected(line, reason, row);
            org.meterhub.engine.metrics.EngineMetrics.READINGS_REJECTED.labelValues(
                    org.meterhub.engine.metrics.EngineMetrics.IMPORT_INVALID).inc();
        }
    }

    /** The meter's latest time and register, seeded from the store; null if it has none yet. */
    private long[] state(String meterId) throws ReadingsCsv.RowException {
        String why = refused.get(meterId);
        if (why != null) throw new ReadingsCsv.RowException(why);
        long[] s = meters.get(meterId);
        if (s != null) {
            if (!undo.containsKey(meterId)) undo.put(meterId, s.clone());
            return s[0] == Long.MIN_VALUE ? null : s;
        }
        Optional<MeterInfo> known = store.meter(meterId);
        MeterSpec spec = settings.meters().getOrDefault(meterId, settings.defaultSpec());
        if (known.isEmpty() && spec == null) {
            why = "meter " + meterId + " has no medium or class: give --medium/--meter-class or a row in --meters"
                    + " (no default is assumed)";
        } else if (known.isPresent() && spec != null && known.get().medium() != spec.medium()) {
            why = "meter " + meterId + " is a " + name(known.get().medium()) + " meter in the store, the import says "
                    + name(spec.medium());
        }
        if (why != null) {
            refused.put(meterId, why);
            throw new ReadingsCsv.RowException(why);
        }
        Optional<Reading> last = known.isPresent() ? store.lastReading(meterId) : Optional.empty();
        s = last.map(r -> new long[] {r.time().toEpochMilli(), r.volumeL()}).orElse(new long[] {Long.MIN_VALUE, 0});
        meters.put(meterId, s);
        undo.put(meterId, s.clone()); // its seed: read again after a failure, the store may hold rows fed since
        return s[0] == Long.MIN_VALUE ? null : s;
    }

    private void take(ReadingsCsv.Row row, Instant t, long[] state, String file, long line, Listener listener)
            throws InterruptedException {
        String id = row.meterId();
        long ms = t.toEpochMilli();
        if (replaying && line > checkpoint && fed.get((int) (line - checkpoint))) {
            // Fed before a store failure: committed if the store holds it (all before the first missing one were).
            List<Reading> at = store.readings(id, t, t.plusMillis(1));
            if (!at.isEmpty() && at.get(0).volumeL() == row.registerL()) {
                replayed++;
                stored++;
                if (state == null) {
                    meters.put(id, new long[] {ms, row.registerL()});
                } else if (ms > state[0]) {
                    state[0] = ms;
                    state[1] = row.registerL();
                } else {
                    late++;
                }
                return;
            }
            replaying = false;
        }
        if (state == null) {
            if (store.meter(id).isEmpty()) register(id, t, row.registerL());
            accept(id, t, row.registerL(), line);
            meters.put(id, new long[] {ms, row.registerL()});
            return;
        }
        if (ms > state[0]) {
            accept(id, t, row.registerL(), line);
            state[0] = ms;
            state[1] = row.registerL();
            return;
        }
        Long held = ms == state[0] ? Long.valueOf(state[1]) : heldAt(id, t);
        if (held == null) {
            late++;
            accept(id, t, row.registerL(), line);
        } else if (held == row.registerL()) {
            duplicates++;
        } else {
            conflictCount++;
            ImportConflict k = new ImportConflict(id, t, held, row.registerL(), file, line, clock.instant());
            pendingConflicts.add(k);
            if (line > seen) listener.conflict(k);
        }
    }

    /** The register the store holds for the meter at {@code t} (any source), after committing what is queued. */
    private Long heldAt(String meterId, Instant t) throws InterruptedException {
        if (unflushed > 0) {
            pipeline().flush();
            unflushed = 0;
        }
        List<Reading> at = store.readings(meterId, t, t.plusMillis(1));
        return at.isEmpty() ? null : at.get(0).volumeL();
    }

    private void register(String meterId, Instant first, long registerL) {
        MeterSpec spec = settings.meters().getOrDefault(meterId, settings.defaultSpec());
        MeterInfo info = new MeterInfo(meterId, spec.medium(), registerL, first, MeterInfo.CJT188_CAPACITY_L);
        store.saveProfile(new MeterProfile(info, spec.className(), null, null, spec.qmaxLph(), null, null, null,
                MeterRole.CUSTOMER));
        newMeters++;
    }

    private void accept(String meterId, Instant t, long registerL, long line) throws InterruptedException {
        // Received at its own time: the file's time is the meter's reading time, and the validator's clock-skew
        // check (reading time against receive time) has nothing to judge in a file read long after.
        IngestPipeline p = pipeline();
        fed.set((int) (line - checkpoint));
        p.accept(new Reading(meterId, t, t, registerL, ReadingSource.MANUAL, Set.of(), 0));
        stored++;
        unflushed++;
        sinceCheckpoint++;
        if (line <= narrowUntil) { // pinning down a reading the store refuses: each committed alone
            p.flush();
            unflushed = 0;
        }
    }

    private void saveConflicts() {
        if (pendingConflicts.isEmpty()) return;
        conflicts.save(List.copyOf(pendingConflicts));
        pendingConflicts.clear();
    }

    private static String name(Medium m) {
        return m.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Lines of at most {@link #MAX_LINE} characters (the rest of a longer one is skipped); counts characters read. */
    static final class LineReader {
        private final Reader in;
        private final char[] buf = new char[65_536];
        private int pos, len;
        private long chars;
        private boolean truncated;
        private final StringBuilder line = new StringBuilder(128);

        LineReader(Reader in) {
            this.in = in;
        }

        String next() throws IOException {
            line.setLength(0);
            truncated = false;
            boolean any = false;
            while (true) {
                if (pos == len) {
                    len = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        return any ? finish() : null;
                    }
                    chars += len;
                }
                char ch = buf[pos++];
                any = true;
                if (ch == '\n') return finish();
                if (line.length() < MAX_LINE) line.append(ch);
                else truncated = true;
            }
        }

        private String finish() {
            int n = line.length();
            if (n > 0 && line.charAt(n - 1) == '\r') line.setLength(n - 1);
            return line.toString();
        }

        boolean truncated() {
            return truncated;
        }

        long chars() {
            return chars;
        }
    }
}
