package org.meterhub.engine.importing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The long readings format: a header line, then one reading a row with the columns {@code meter},
 * {@code time}, {@code register} and {@code unit} (other names mapped with {@link #columns}; other
 * columns ignored). Values may be double-quoted. Parsing only; no state but the column positions.
 */
public final class ReadingsCsv {

    /** Register units. */
    public enum Unit {
        M3, L;

        /** {@code m3}, {@code m³}, {@code L}, {@code l}, {@code litre(s)}, {@code liter(s)}; else null. */
        public static Unit parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "m3", "m³", "cubic metres", "cubic meters" -> M3;
                case "l", "litre", "litres", "liter", "liters" -> L;
                default -> null;
            };
        }
    }

    /** The logical columns and their defaults. */
    public static final List<String> COLUMNS = List.of("meter", "time", "register", "unit");

    /** A row that cannot be a reading, with why. */
    public static final class RowException extends Exception {
        public RowException(String reason) {
            super(reason, null, false, false);
        }
    }

    private final int meter;
    private final int time;
    private final int register;
    private final int unit;
    private final Unit fixedUnit;

    private ReadingsCsv(int meter, int time, int register, int unit, Unit fixedUnit) {
        this.meter = meter;
        this.time = time;
        this.register = register;
        this.unit = unit;
        this.fixedUnit = fixedUnit;
    }

    /**
     * {@code --columns meter=METER_NO,time=TS,…}: file column names of the logical columns (the rest keep their names).
     *
     * @throws ImportException naming the entry that is wrong
     */
    public static Map<String, String> columns(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String c : COLUMNS) out.put(c, c);
        if (spec == null || spec.isBlank()) return out;
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            String key = eq < 0 ? "" : entry.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (eq < 0 || !out.containsKey(key) || entry.substring(eq + 1).isBlank()) {
                throw new ImportException("--columns: expected meter=NAME,time=NAME,register=NAME,unit=NAME, got \"" + entry.strip() + "\"");
            }
            out.put(key, entry.substring(eq + 1).strip());
        }
        return out;
    }

    /**
     * The column positions from the header line.
     *
     * @param fixedUnit the unit of every register when the file has no unit column (null: it must have one)
     * @throws ImportException naming the missing column
     */
    public static ReadingsCsv header(String file, String headerLine, Map<String, String> names, Unit fixedUnit) {
        if (headerLine == null) throw new ImportException(file + ": empty file, expected a header line");
        List<String> cells = split(headerLine.startsWith("\uFEFF") ? headerLine.substring(1) : headerLine);
        int[] at = new int[COLUMNS.size()];
        for (int k = 0; k < COLUMNS.size(); k++) {
            String want = names.get(COLUMNS.get(k));
            at[k] = -1;
            for (int i = 0; i < cells.size(); i++) {
                if (cells.get(i).strip().equalsIgnoreCase(want)) at[k] = i;
            }
            boolean optional = COLUMNS.get(k).equals("unit") && fixedUnit != null;
            if (at[k] < 0 && !optional) {
                throw new ImportException(file + ":1: missing column \"" + want + "\" (the " + COLUMNS.get(k)
                        + (COLUMNS.get(k).equals("unit") ? "; or give --unit m3|L" : "") + "); header is: " + headerLine.strip()
                        + "; map another name with --columns " + COLUMNS.get(k) + "=NAME");
            }
        }
        return new ReadingsCsv(at[0], at[1], at[2], at[3], fixedUnit);
    }

    /** One row's cells. */
    public record Row(String meterId, String time, long registerL) {
    }

    /** Meter, time text and register in litres of a data line. */
    public Row row(String line) throws RowException {
        List<String> cells = split(line);
        int need = Math.max(Math.max(meter, time), Math.max(register, unit));
        if (cells.size() <= need) {
            throw new RowException("expected at least " + (need + 1) + " columns, got " + cells.size());
        }
        String id = cells.get(meter).strip();
        if (id.isEmpty()) throw new RowException("no meter id");
        if (id.length() > 64) throw new RowException("meter id longer than 64 characters");
        String t = cells.get(time).strip();
        if (t.isEmpty()) throw new RowException("no time");
        Unit u = fixedUnit;
        if (unit >= 0) {
            String ut = cells.get(unit).strip();
            u = ut.isEmpty() && fixedUnit != null ? fixedUnit : Unit.parse(ut);
            if (u == null) throw new RowException("unit \"" + ut + "\": expected m3 or L");
        }
        return new Row(id, t, litres(cells.get(register).strip(), u));
    }

    /** A register in m³ or L as exact litres. */
    static long litres(String text, Unit u) throws RowException {
        BigDecimal v;
        try {
            v = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new RowException("register \"" + text + "\" is not a number");
        }
        if (v.signum() < 0) throw new RowException("register " + text + " is negative");
        BigDecimal l = u == Unit.M3 ? v.movePointRight(3) : v;
        try {
            return l.longValueExact();
        } catch (ArithmeticException e) {
            throw new RowException("register " + text + (u == Unit.M3 ? " m3" : " L")
                    + (l.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? " is too large" : " is finer than a litre"));
        }
    }

    /** Litres as m³ with three decimals and the litres, e.g. {@code 123.456 m³ (123456 L)}. */
    public static String litres(long l) {
        return BigDecimal.valueOf(l, 3).toPlainString() + " m³ (" + l + " L)";
    }

    /**
     * A time: ISO with an offset ({@code 2026-10-25T03:30:00+03:00}, {@code …Z}), or local in {@code zone}
     * ({@code 2026-10-25T03:30}, a space for the T allowed). A local time in a daylight-saving gap does not
     * exist and is refused. A local time that occurs twice (the autumn hour) is taken at its first
     * occurrence (the earlier, summer offset) unless that is not after {@code previousMs}, the meter's
     * previous row, while the second occurrence is: an hourly series in local time then runs through the
     * repeated hour in order. Give offsets in the file to say which is meant.
     *
     * @param previousMs the meter's previous row's time in this file, or {@link Long#MIN_VALUE}
     * @param ambiguous  set to true when the local time occurred twice
     */
    public static Instant time(String text, ZoneId zone, long previousMs, boolean[] ambiguous) throws RowException {
        String t = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + "T" + text.substring(11) : text;
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException notOffset) {
            LocalDateTime local;
            try {
                local = LocalDateTime.parse(t);
            } catch (DateTimeParseException e) {
                throw new RowException("time \"" + text + "\": expected ISO such as 2026-11-24T08:00:00+08:00 or local 2026-11-24T08:00");
            }
            ZoneRules rules = zone.getRules();
            List<ZoneOffset> offsets = rules.getValidOffsets(local);
            if (offsets.size() == 1) return local.toInstant(offsets.get(0));
            ZoneOffsetTransition tr = rules.getTransition(local);
            if (offsets.isEmpty()) {
                throw new RowException("local time " + local + " does not exist in " + zone + " (daylight saving: clocks go from "
                        + tr.getDateTimeBefore().toLocalTime() + " to " + tr.getDateTimeAfter().toLocalTime() + ")");
            }
            ambiguous[0] = true;
            Instant first = local.toInstant(tr.getOffsetBefore());
            Instant second = local.toInstant(tr.getOffsetAfter());
            if (first.toEpochMilli() <= previousMs && second.toEpochMilli() > previousMs) return second;
            return first;
        }
    }

    /** Comma-separated cells; a cell in double quotes may hold commas and doubled quotes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>(6);
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString());
        return out;
    }
}
