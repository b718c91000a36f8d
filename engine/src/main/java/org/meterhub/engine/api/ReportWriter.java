package org.meterhub.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders a {@link Report} as JSON or CSV (RFC 4180: quoted when needed, CRLF-free lines). */
public final class ReportWriter {

    /** The two representations. */
    public enum Format { JSON, CSV }

    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public String json(Report report) {
        Map<String, Object> body = new LinkedHashMap<>(report.summary());
        boolean single = report.rows().size() == 1 && report.rows().get(0).equals(report.summary());
        if (!single) { // a one-row report (health, balance) is its summary; CSV still gets the row
            body.put(report.rowsName(), report.rows());
        }
        return json(body);
    }

    public String json(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
        }
    }

    public String csv(Report report) {
        StringBuilder out = new StringBuilder();
        out.append(report.columns().stream().map(ReportWriter::cell).collect(Collectors.joining(","))).append('\n');
        for (Map<String, Object> row : report.rows()) {
            out.append(report.columns().stream().map(c -> cell(row.get(c))).collect(Collectors.joining(",")))
                    .append('\n');
        }
        return out.toString();
    }

    public String render(Report report, Format format) {
        return format == Format.CSV ? csv(report) : json(report);
    }

    /** Lists (flags) become "a|b"; nulls empty; text with a comma, quote or line break is quoted. */
    static String cell(Object value) {
        String s;
        if (value == null) {
            s = "";
        } else if (value instanceof Collection<?> c) {
            s = c.stream().map(String::valueOf).collect(Collectors.joining("|"));
        } else {
            s = value.toString();
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
