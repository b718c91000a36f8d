package org.meterhub.engine.accuracy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test records from CSV, one row per test point (docs/accuracy.md):
 * {@code meter,test_date,lab,qmin_m3h,qmax_m3h,flow_m3h,reference_l,meter_l}. Rows with the same
 * meter, date and lab form one test. The whole file is checked before anything is stored; the
 * first problem is one line naming the file, the line and the column.
 */
public final class AccuracyCsv {
    public static final String HEADER = "meter,test_date,lab,qmin_m3h,qmax_m3h,flow_m3h,reference_l,meter_l";

    private AccuracyCsv() {
    }

    public static List<AccuracyTest> parse(String name, Reader in) {
        Map<String, Builder> tests = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(in)) {
            String header = r.readLine();
            if (header == null || !header.strip().equals(HEADER)) {
                throw new AccuracyException(name + ":1: expected the header " + HEADER + ", got \"" + (header == null ? "" : header.strip()) + "\"");
            }
            String line;
            int no = 1;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String at = name + ":" + no + ": ";
                String[] f = line.split(",", -1);
                if (f.length != 8) throw new AccuracyException(at + "expected 8 columns (" + HEADER + "), got " + f.length);
                String meter = text(at, "meter", f[0]);
                LocalDate day;
                try {
                    day = LocalDate.parse(f[1].strip());
                } catch (DateTimeParseException e) {
                    throw new AccuracyException(at + "test_date: expected YYYY-MM-DD, got \"" + f[1].strip() + "\"");
                }
                String lab = text(at, "lab", f[2]);
                BigDecimal qmin = number(at, "qmin_m3h", f[3]);
                BigDecimal qmax = number(at, "qmax_m3h", f[4]);
                BigDecimal flow = number(at, "flow_m3h", f[5]);
                if (qmin.signum() <= 0) throw new AccuracyException(at + "qmin_m3h: must be above zero, got " + qmin.toPlainString());
                if (qmax.compareTo(qmin) <= 0) {
                    throw new AccuracyException(at + "qmax_m3h: must be above qmin_m3h " + qmin.toPlainString() + ", got " + qmax.toPlainString());
                }
                if (flow.compareTo(qmin) < 0 || flow.compareTo(qmax) > 0) {
                    throw new AccuracyException(at + "flow_m3h: " + flow.toPlainString() + " is outside the meter's range Qmin "
                            + qmin.toPlainString() + " .. Qmax " + qmax.toPlainString() + " m3/h");
                }
                long ref = millilitres(at, "reference_l", f[6]);
                long met = millilitres(at, "meter_l", f[7]);
                if (ref <= 0) throw new AccuracyException(at + "reference_l: must be above zero (the error is relative to it), got " + f[6].strip());
                if (met < 0) throw new AccuracyException(at + "meter_l: must not be negative, got " + f[7].strip());
                String key = meter + "|" + day + "|" + lab;
                Builder b = tests.computeIfAbsent(key, k -> new Builder(meter, day, lab, qmin, qmax));
                if (b.qmin.compareTo(qmin) != 0 || b.qmax.compareTo(qmax) != 0) {
                    throw new AccuracyException(at + "qmin_m3h/qmax_m3h: differ from the test's first row (line " + b.firstLine + ")");
                }
                if (b.points.isEmpty()) b.firstLine = no;
                b.points.add(new TestPoint(b.points.size() + 1, flow, ref, met));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
        if (tests.isEmpty()) throw new AccuracyException(name + ": no test points after the header");
        List<AccuracyTest> out = new ArrayList<>();
        for (Builder b : tests.values()) {
            out.add(new AccuracyTest(null, b.meter, b.day, b.lab, b.qmin, b.qmax, b.points, name + ":" + b.firstLine));
        }
        return out;
    }

    private static final class Builder {
        final String meter;
        final LocalDate day;
        final String lab;
        final BigDecimal qmin;
        final BigDecimal qmax;
        final List<TestPoint> points = new ArrayList<>();
        int firstLine;

        Builder(String meter, LocalDate day, String lab, BigDecimal qmin, BigDecimal qmax) {
            this.meter = meter;
            this.day = day;
            this.lab = lab;
            this.qmin = qmin;
            this.qmax = qmax;
        }
    }

    private static String text(String at, String field, String v) {
        String s = v.strip();
        if (s.isEmpty()) throw new AccuracyException(at + field + ": must not be empty");
        return s;
    }

    private static BigDecimal number(String at, String field, String v) {
        try {
            return new BigDecimal(v.strip());
        } catch (NumberFormatException e) {
            throw new AccuracyException(at + field + ": expected a decimal number, got \"" + v.strip() + "\"");
        }
    }

    /** Litres as written, to whole millilitres exactly (a finer value is refused, never rounded). */
    private static long millilitres(String at, String field, String v) {
        BigDecimal l = number(at, field, v);
        try {
            return l.movePointRight(3).longValueExact();
        } catch (ArithmeticException e) {
            throw new AccuracyException(at + field + ": expected litres to at most 3 decimals (whole millilitres), got " + v.strip());
        }
    }
}
