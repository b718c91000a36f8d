package org.meterhub.engine.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.meterhub.engine.store.Dialect;

/**
 * {@code manifest.tsv} of a backup directory: the dialect, the data file, when, and per table its row
 * count and MD5 ({@link TableSums}) taken from the same snapshot as the data file. Tab-separated text
 * so an operator can read and diff it.
 */
public record Manifest(Dialect dialect, String file, Instant created, Map<String, TableSums.Sum> tables) {

    public static final String NAME = "manifest.tsv";

    public void write(Path dir) throws IOException {
        StringBuilder s = new StringBuilder("# meterhub backup manifest: table, rows, md5 of its rows in column order\n");
        s.append("dialect\t").append(dialect.name()).append('\n');
        s.append("file\t").append(file).append('\n');
        s.append("created\t").append(created).append('\n');
        tables.forEach((t, sum) -> s.append("table\t").append(t).append('\t').append(sum.rows()).append('\t')
                .append(sum.md5()).append('\n'));
        Files.writeString(dir.resolve(NAME), s, StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException naming the line that is wrong */
    public static Manifest read(Path dir) throws IOException {
        Path path = dir.resolve(NAME);
        if (!Files.exists(path)) throw new IllegalArgumentException(path + ": no manifest (not a meterhub backup directory)");
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        Dialect dialect = null;
        String file = null;
        Instant created = null;
        Map<String, TableSums.Sum> tables = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            try {
                switch (f[0]) {
                    case "dialect" -> dialect = Dialect.valueOf(f[1]);
                    case "file" -> file = f[1];
                    case "created" -> created = Instant.parse(f[1]);
                    case "table" -> tables.put(f[1], new TableSums.Sum(Long.parseLong(f[2]), f[3]));
                    default -> throw new IllegalArgumentException("unknown key " + f[0]);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(path + " line " + (i + 1) + ": cannot read '" + line + "' (" + e.getMessage() + ")");
            }
        }
        if (dialect == null || file == null || created == null) {
            throw new IllegalArgumentException(path + ": dialect, file and created are required");
        }
        return new Manifest(dialect, file, created, tables);
    }
}
