package org.meterhub.engine.importing;

import java.io.IOException;
import java.io.Reader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meterhub.engine.consumption.ConsumptionSettings;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.IngestRules;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.TimeSeriesStore;

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
 */
public final class ReadingsImport {
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

    /** The end result. {@code stored} counts only readings that were new to the store. */
    public record Summary(long rows, long stored, long duplicates, long conflicts, long rejected, long late,
                          long ambiguousLocalTimes, long newMeters) {
    }

    /** Readings per store transaction when importing: larger than live polling's 2 000, for fewer commits. */
    public static final int BATCH = Integer.getInteger("meterhub.import.batch", 20_000);

    /** The live pipeline (same rules, same stages) with import-sized batches; closes {@code rules} with itself. */
    public static IngestPipeline pipeline(TimeSeriesStore store, IngestRules rules) {
        return new IngestPipeline(store, ConsumptionSettings.defaults(), rules, 4 * BATCH, BATCH, Duration.ofSeconds(1));
    }

    private final Settings settings;
    private final TimeSeriesStore store;
    private final IngestPipeline pipeline;
    private final ImportConflicts conflicts;
    private final Clock clock;

    private final Map<String, long[]> meters = new HashMap<>(); // {latest time ms, its register L}
    private final Map<String, String> refused = new HashMap<>(); // meter -> why its rows are rejected
    private final List<ImportConflict> pendingConflicts = new ArrayList<>();
    private long unflushed;
    private long rows, stored, duplicates, conflictCount, rejected, late, ambiguous, newMeters;

    public ReadingsImport(Settings settings, TimeSeriesStore store, IngestPipeline pipeline, ImportConflicts conflicts,
                          Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = Objects.requireNonNull(store, "store");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.conflicts = Objects.requireNonNull(conflicts, "conflicts");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads {@code in} to its end and waits until everything is committed.
     *
     * @param file the file's name, for conflicts and messages
     * @throws ImportException when the header lacks a column (nothing is imported)
     */
    public Summary run(Reader in, String file, Listener listener) throws IOException, InterruptedException {
        LineReader lines = new LineReader(in);
        String header = lines.next();
        ReadingsCsv csv = ReadingsCsv.header(file, header, settings.columns(), settings.fixedUnit());
        long lineNo = 1;
        boolean[] amb = new boolean[1];
        for (String line = lines.next(); line != null; line = lines.next()) {
            lineNo++;
            if (lines.truncated()) {
                reject(listener, lineNo, "line longer than " + MAX_LINE + " characters", line);
                continue;
            }
            if (line.isBlank()) continue;
            rows++;
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
            if ((rows & 4095) == 0) listener.progress(rows, lines.chars());
            if (pendingConflicts.size() >= 1_000) saveConflicts();
        }
        pipeline.flush();
        saveConflicts();
        listener.progress(rows, lines.chars());
        return new Summary(rows, stored, duplicates, conflictCount, rejected, late, ambiguous, newMeters);
    }

    private void reject(Listener listener, long line, String reason, String row) {
        rejected++;
        listener.rejected(line, reason, row);
    }

    /** The meter's latest time and register, seeded from the store; null if it has none yet. */
    private long[] state(String meterId) throws ReadingsCsv.RowException {
        String why = refused.get(meterId);
        if (why != null) throw new ReadingsCsv.RowException(why);
        long[] s = meters.get(meterId);
        if (s != null) return s[0] == Long.MIN_VALUE ? null : s;
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
        return s[0] == Long.MIN_VALUE ? null : s;
    }

    private void take(ReadingsCsv.Row row, Instant t, long[] state, String file, long line, Listener listener)
            throws InterruptedException {
        String id = row.meterId();
        long ms = t.toEpochMilli();
        if (state == null) {
            if (store.meter(id).isEmpty()) register(id, t, row.registerL());
            accept(id, t, row.registerL());
            meters.put(id, new long[] {ms, row.registerL()});
            return;
        }
        if (ms > state[0]) {
            accept(id, t, row.registerL());
            state[0] = ms;
            state[1] = row.registerL();
            return;
        }
        Long held = ms == state[0] ? Long.valueOf(state[1]) : heldAt(id, t);
        if (held == null) {
            late++;
            accept(id, t, row.registerL());
        } else if (held == row.registerL()) {
            duplicates++;
        } else {
            conflictCount++;
            ImportConflict k = new ImportConflict(id, t, held, row.registerL(), file, line, clock.instant());
            pendingConflicts.add(k);
            listener.conflict(k);
        }
    }

    /** The register the store holds for the meter at {@code t} (any source), after committing what is queued. */
    private Long heldAt(String meterId, Instant t) throws InterruptedException {
        if (unflushed > 0) {
            pipeline.flush();
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

    private void accept(String meterId, Instant t, long registerL) {
        // Received at its own time: the file's time is the meter's reading time, and the validator's clock-skew
        // check (reading time against receive time) has nothing to judge in a file read long after.
        pipeline.accept(new Reading(meterId, t, t, registerL, ReadingSource.MANUAL, Set.of(), 0));
        stored++;
        unflushed++;
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
