package org.meterhub.app.query;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.ReportWriter;

/** Prints a report as the API would (csv, json) or as an aligned table for people. */
final class ReportPrinter {

    private ReportPrinter() {
    }

    static void print(PrintStream out, Report report, StoreOptions.Format format) {
        ReportWriter writer = new ReportWriter();
        switch (format) {
            case csv -> out.print(writer.csv(report));
            case json -> out.println(writer.json(report));
            default -> table(out, report);
        }
    }

    private static void table(PrintStream out, Report report) {
        boolean singleRow = report.rows().size() == 1 && report.rows().get(0).equals(report.summary());
        for (Map.Entry<String, Object> e : report.summary().entrySet()) {
            out.printf("%-18s %s%n", e.getKey(), text(e.getValue()));
        }
        if (singleRow) {
            return;
        }
        List<String> columns = report.columns();
        int[] width = new int[columns.size()];
        List<List<String>> cells = new ArrayList<>();
        for (Map<String, Object> row : report.rows()) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                String s = text(row.get(columns.get(i)));
                line.add(s);
                width[i] = Math.max(width[i], s.length());
            }
            cells.add(line);
        }
        for (int i = 0; i < columns.size(); i++) {
            width[i] = Math.max(width[i], columns.get(i).length());
        }
        out.println();
        out.println(line(columns, width));
        for (List<String> line : cells) {
            out.println(line(line, width));
        }
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            sb.append(i == 0 ? "" : "  ").append(String.format("%-" + width[i] + "s", cells.get(i)));
        }
        return sb.toString().stripTrailing();
    }

    private static String text(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return v.toString();
    }
}
