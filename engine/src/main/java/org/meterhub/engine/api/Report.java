package org.meterhub.engine.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to one query, independent of its representation: a few summary fields and a
 * table of rows. JSON shows the summary fields with the rows under {@code rowsName}; CSV shows
 * the rows with {@code columns} as the header.
 */
public record Report(Map<String, Object> summary, String rowsName, List<String> columns,
                     List<Map<String, Object>> rows) {
    public Report {
        Objects.requireNonNull(rowsName, "rowsName");
        summary = Collections.unmodifiableMap(new LinkedHashMap<>(summary));
        columns = List.copyOf(columns);
        rows = Collections.unmodifiableList(new ArrayList<>(rows));
    }

    /** Builds a row in column order. */
    public static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }
}
