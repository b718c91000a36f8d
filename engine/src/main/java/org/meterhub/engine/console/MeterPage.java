package org.meterhub.engine.console;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * One meter: its consumption chart at the chosen step (the API's consumption report), the latest
 * readings with their flags, the validation findings with their reasons, and its alarms.
 */
final class MeterPage {
    /** How far back each step's chart looks from the meter's last reading. */
    private static final Map<Step, Duration> SPAN = Map.of(Step.HOUR, Duration.ofDays(31), Step.DAY, Duration.ofDays(366),
            Step.MONTH, Duration.ofDays(3 * 365));
    private static final Duration READINGS_SPAN = Duration.ofDays(7);
    private static final int READINGS_SHOWN = 200;

    private final TimeSeriesStore store;
    private final Reports reports;

    MeterPage(TimeSeriesStore store, Reports reports) {
        this.store = store;
        this.reports = reports;
    }

    String render(String meter, Map<String, String> q, PartTimes times) {
        Step step;
        try {
            step = Step.parse(q.getOrDefault("step", "hour"));
        } catch (IllegalArgumentException e) {
            throw new BadParameterException("step", e.getMessage());
        }
        // The chart ends at the meter's last reading, not now: a meter that fell silent still shows its history.
        // A reading's time ends the interval it closes, so the range ends there (exclusive) without an empty last bucket.
        Instant to = times.time("last_reading", () -> store.lastReading(meter)).map(Reading::time).orElseGet(Instant::now);
        Instant from = to.minus(SPAN.get(step));
        Report consumption = times.time("consumption", () -> reports.consumption(meter, from, to, step));
        // The stated purpose goes along with every link that reads this household again (docs/security.md).
        String purpose = Html.purposeQuery(q);
        StringBuilder b = new StringBuilder();
        b.append(Html.summary(consumption.summary(), List.of("from", "to", "step", "zone", "total_m3")));
        b.append("<p class=\"steps\">");
        for (Step s : Step.values()) {
            String name = s.name().toLowerCase(java.util.Locale.ROOT);
            b.append(s == step ? "<b>" + name + "</b> " : "<a href=\"?step=" + name + purpose + "\">" + name + "</a> ");
        }
        b.append("· drag across the chart to zoom, double-click to zoom out</p>");
        b.append("<div id=\"chart\" data-step=\"").append(Html.esc(step.label()))
                .append("\" data-zone=\"").append(Html.esc(reports.zone().getId())).append("\"></div>");
        b.append("<script type=\"application/json\" id=\"series\">").append(series(consumption)).append("</script>");
        b.append("<script src=\"/console/assets/uPlot.iife.min.js\"></script><script src=\"/console/assets/console.js\"></script>");

        Instant readingsFrom = to.minus(READINGS_SPAN);
        Reports.ReadingsAndFlags week = times.time("readings_and_flags", () -> reports.readingsAndFlags(meter, readingsFrom, to));
        Report readings = week.readings();
        b.append("<h2>Readings, last 7 days (newest first)</h2>");
        b.append(Html.table(newestFirst(readings), List.of("time", "register_m3", "source", "estimated", "flags", "validation",
                "received_at", "meter_time"), READINGS_SHOWN));
        b.append("<h2>Validation findings and their reasons</h2>");
        Report flags = week.flags();
        b.append(Html.table(flags, flags.columns(), READINGS_SHOWN));
        b.append("<h2>Alarms</h2>");
        Report alarms = times.time("alarms", () -> reports.alarms(meter, 100));
        b.append(Html.table(alarms, List.of("alarm_id", "kind", "state", "detail", "raised_at", "acknowledge_by",
                "resolve_by", "acknowledged_by", "resolved_by", "resolution"), 100));
        b.append("<p><a href=\"/console/alarms?meter=").append(Html.esc(java.net.URLEncoder.encode(meter,
                java.nio.charset.StandardCharsets.UTF_8))).append(purpose).append("\">work this meter's alarms</a> · <a href=\"/api/v1/meters/")
                .append(Html.esc(java.net.URLEncoder.encode(meter, java.nio.charset.StandardCharsets.UTF_8)))
                .append("/consumption?step=").append(Html.esc(step.label())).append("&amp;format=csv&amp;from=")
                .append(Html.esc(from)).append("&amp;to=").append(Html.esc(to)).append(purpose).append("\">this chart as CSV</a></p>");
        return b.toString();
    }

    /** The chart's data as JSON: bucket starts in epoch seconds and exact litres (numbers only, so nothing to escape). */
    private static String series(Report consumption) {
        StringBuilder x = new StringBuilder("[");
        StringBuilder y = new StringBuilder("[");
        for (Map<String, Object> row : consumption.rows()) {
            if (x.length() > 1) {
                x.append(',');
                y.append(',');
            }
            x.append(OffsetDateTime.parse((String) row.get("start")).toEpochSecond());
            y.append(((Number) row.get("volume_l")).longValue());
        }
        return "{\"x\":" + x + "],\"litres\":" + y + "]}";
    }

    private static Report newestFirst(Report r) {
        List<Map<String, Object>> rows = new java.util.ArrayList<>(r.rows());
        java.util.Collections.reverse(rows);
        return new Report(r.summary(), r.rowsName(), r.columns(), rows);
    }
}
