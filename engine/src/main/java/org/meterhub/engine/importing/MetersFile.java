package org.meterhub.engine.importing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --meters meters.csv}: a header {@code meter,medium,class} (either of the last two may be left
 * empty in a row, not both; a class implies its medium), one meter a row. Held in memory: one entry per
 * meter of the fleet.
 */
public final class MetersFile {
    private MetersFile() {
    }

    /** @throws ImportException naming the file, line and what is wrong */
    public static Map<String, MeterSpec> read(Reader in, String file) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null) throw new ImportException(file + ": empty file, expected a header meter,medium,class");
        List<String> h = ReadingsCsv.split(header.startsWith("\uFEFF") ? header.substring(1) : header).stream()
                .map(c -> c.strip().toLowerCase(Locale.ROOT)).toList();
        int meter = h.indexOf("meter");
        int medium = h.indexOf("medium");
        int cls = h.indexOf("class");
        if (meter < 0 || (medium < 0 && cls < 0)) {
            throw new ImportException(file + ":1: expected a header meter,medium,class (medium or class may be left out), got: " + header.strip());
        }
        Map<String, MeterSpec> out = new HashMap<>();
        long n = 1;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            n++;
            if (line.isBlank()) continue;
            List<String> c = ReadingsCsv.split(line);
            String id = meter < c.size() ? c.get(meter).strip() : "";
            if (id.isEmpty()) throw new ImportException(file + ":" + n + ": meter: no meter id");
            try {
                MeterSpec s = MeterSpec.of(medium >= 0 && medium < c.size() ? c.get(medium) : null,
                        cls >= 0 && cls < c.size() ? c.get(cls) : null);
                if (out.put(id, s) != null) throw new ImportException(file + ":" + n + ": meter " + id + " is listed twice");
            } catch (IllegalArgumentException e) {
                throw new ImportException(file + ":" + n + ": meter " + id + ": " + e.getMessage());
            }
        }
        return out;
    }
}
