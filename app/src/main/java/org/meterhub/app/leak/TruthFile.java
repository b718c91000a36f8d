package org.meterhub.app.leak;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.meterhub.app.config.ConfigException;
import org.meterhub.engine.leak.LeakEvaluation;
import org.meterhub.simulators.usage.LeakScenarioFleet;

/**
 * Labelled leaks as CSV: {@code meter,start,end[,rate_lph]} with a header line. Times are ISO with an
 * offset ({@code 2025-10-26T02:30:00+03:00}, {@code ...Z}) or local in the zone given (the earlier
 * of an ambiguous fall-back hour, the later side of a spring-forward gap, as {@code ZonedDateTime}
 * resolves them). A bad line is a one-line error naming the file and line.
 */
final class TruthFile {
    private TruthFile() {
    }

    static List<LeakEvaluation.Truth> read(Path file, ZoneId zone) throws IOException {
        List<LeakEvaluation.Truth> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || n == 1 && line.toLowerCase().startsWith("meter")) continue;
                String[] f = line.split(",", -1);
                if (f.length < 3 || f.length > 4) {
                    throw new ConfigException(file + ":" + n + ": expected meter,start,end[,rate_lph], got \"" + line + "\"");
                }
                try {
                    Instant a = time(f[1].strip(), zone);
                    Instant b = time(f[2].strip(), zone);
                    OptionalLong rate = f.length == 4 && !f[3].isBlank()
                            ? OptionalLong.of(new BigDecimal(f[3].strip()).movePointRight(3).longValueExact())
                            : OptionalLong.empty();
                    out.add(new LeakEvaluation.Truth(f[0].strip(), a, b, rate));
                } catch (DateTimeParseException | ArithmeticException | IllegalArgumentException e) {
                    throw new ConfigException(file + ":" + n + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        }
        return out;
    }

    private static Instant time(String text, ZoneId zone) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text).atZone(zone).toInstant();
        }
    }

    static void write(Path file, List<LeakScenarioFleet.Leak> leaks) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("meter,start,end,rate_lph\n");
            for (LeakScenarioFleet.Leak l : leaks) {
                w.write(l.meterId() + "," + l.start() + "," + l.end() + ","
                        + BigDecimal.valueOf(l.rateMlph(), 3).stripTrailingZeros().toPlainString() + "\n");
            }
        }
    }
}
