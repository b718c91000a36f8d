package org.meterhub.protocol.modbus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads register-map profiles: a CSV table, one register value per line, the way vendors publish
 * their maps. {@code #} starts a comment line. The header names the columns:
 *
 * <pre>
 * name,address,function,type,order,scale,unit,meaning,bits,description
 * vb,2,3,uint32,ABCD,0.001,m3,volume,,converted (base) volume Vb
 * </pre>
 *
 * {@code order} may be empty for 16-bit types; {@code bits} lists status bits as
 * {@code 0=low-battery;3=tamper}. An optional last column {@code resolution} gives a float32/float64 volume
 * its step (e.g. {@code 0.001} m3); profiles without float volumes may leave the column out. Built-in
 * profiles are resources under {@code org/meterhub/protocol/modbus/profiles/}.
 */
public final class RegisterProfiles {
    static final List<String> COLUMNS = List.of("name", "address", "function", "type", "order", "scale", "unit",
            "meaning", "bits", "description");
    /** The header with the optional column for float volumes. */
    static final List<String> COLUMNS_WITH_RESOLUTION = java.util.stream.Stream.concat(COLUMNS.stream(),
            java.util.stream.Stream.of("resolution")).toList();
    private static final String RESOURCE_DIR = "/org/meterhub/protocol/modbus/profiles/";
    public static final List<String> BUILT_IN = List.of("evc-basic");

    private RegisterProfiles() {
    }

    /** A profile shipped with meterhub, e.g. {@code evc-basic}. */
    public static RegisterProfile builtIn(String name) {
        if (!BUILT_IN.contains(name)) {
            throw new ProfileException("no built-in Modbus profile \"" + name + "\"; built in: " + String.join(", ", BUILT_IN));
        }
        try (InputStream in = RegisterProfiles.class.getResourceAsStream(RESOURCE_DIR + name + ".csv")) {
            if (in == null) throw new ProfileException("built-in profile " + name + " is missing from the jar");
            return parse(name, name + ".csv", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A built-in name, or a path to a CSV file (the profile is named after the file). */
    public static RegisterProfile load(String nameOrPath) {
        if (BUILT_IN.contains(nameOrPath)) return builtIn(nameOrPath);
        Path path = Path.of(nameOrPath);
        if (!Files.isRegularFile(path)) {
            throw new ProfileException("Modbus profile \"" + nameOrPath + "\" is neither built in ("
                    + String.join(", ", BUILT_IN) + ") nor a readable file");
        }
        String file = path.getFileName().toString();
        String name = file.endsWith(".csv") ? file.substring(0, file.length() - 4) : file;
        try {
            return parse(name, path.toString(), Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProfileException(path + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * @param source named in error messages ({@code file:line: column: problem})
     */
    public static RegisterProfile parse(String name, String source, String text) {
        List<RegisterField> fields = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        List<String> header = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String where = source + ":" + (i + 1) + ": ";
            List<String> cells = split(line);
            if (header == null) {
                if (!cells.equals(COLUMNS) && !cells.equals(COLUMNS_WITH_RESOLUTION)) {
                    throw new ProfileException(where + "expected the header " + String.join(",", COLUMNS)
                            + "[,resolution], got " + line);
                }
                header = cells;
                continue;
            }
            if (cells.size() != header.size()) {
                throw new ProfileException(where + "expected " + header.size() + " columns, got " + cells.size());
            }
            fields.add(field(where, cells));
        }
        if (header == null) throw new ProfileException(source + ": empty profile: no header line");
        try {
            return new RegisterProfile(name, fields);
        } catch (IllegalArgumentException e) {
            throw new ProfileException(source + ": " + e.getMessage());
        }
    }

    private static RegisterField field(String where, List<String> c) {
        String column = "name";
        try {
            String name = c.get(0);
            if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) throw new IllegalArgumentException("expected a name such as vb, got \"" + name + "\"");
            column = "address";
            int address = Integer.parseInt(c.get(1));
            column = "function";
            int function = Integer.parseInt(c.get(2));
            column = "type";
            RegisterType type = RegisterType.parse(c.get(3));
            column = "order";
            WordOrder order = c.get(4).isEmpty() ? WordOrder.ABCD : WordOrder.parse(c.get(4));
            if (type.words() == 1 && !c.get(4).isEmpty() && order != WordOrder.ABCD) {
                throw new IllegalArgumentException("a 16-bit value has no word order; leave it empty");
            }
            column = "scale";
            BigDecimal scale = c.get(5).isEmpty() ? BigDecimal.ONE : new BigDecimal(c.get(5));
            column = "meaning";
            FieldMeaning meaning = FieldMeaning.parse(c.get(7));
            column = "bits";
            Map<Integer, String> bits = bits(c.get(8));
            if (!bits.isEmpty() && meaning != FieldMeaning.STATUS) {
                throw new IllegalArgumentException("only a status field names bits");
            }
            column = "resolution";
            BigDecimal resolution = c.size() <= 10 || c.get(10).isEmpty() ? null : new BigDecimal(c.get(10));
            column = "address";
            return new RegisterField(name, address, function, type, order, scale, c.get(6), meaning, bits, resolution);
        } catch (NumberFormatException e) {
            throw new ProfileException(where + column + ": expected a number, got \""
                    + c.get(COLUMNS_WITH_RESOLUTION.indexOf(column)) + "\"");
        } catch (IllegalArgumentException e) {
            // the field's own checks name their column ("resolution: ...")
            String m = e.getMessage();
            throw new ProfileException(where + (m.startsWith("resolution: ") ? "" : column + ": ") + m);
        }
    }

    private static Map<Integer, String> bits(String text) {
        Map<Integer, String> bits = new LinkedHashMap<>();
        if (text.isBlank()) return bits;
        for (String part : text.split(";")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || !kv[0].strip().matches("\\d{1,2}") || Integer.parseInt(kv[0].strip()) > 31
                    || kv[1].isBlank()) {
                throw new IllegalArgumentException("expected bits as 0=low-battery;3=tamper, got \"" + part + "\"");
            }
            bits.put(Integer.parseInt(kv[0].strip()), kv[1].strip());
        }
        return bits;
    }

    /** Plain CSV: commas separate; a cell in double quotes may contain commas. */
    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString().strip());
        return cells;
    }
}
