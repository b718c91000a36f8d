package org.meterhub.engine.console;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.meterhub.engine.alarm.Alarm;
import org.meterhub.engine.alarm.JdbcAlarmRepository;
import org.meterhub.engine.alarm.Milestone;
import org.meterhub.engine.api.BadParameterException;
import org.meterhub.engine.api.NotFoundException;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.api.Reports;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.DistrictBalanceRun;
import org.meterhub.engine.leak.DistrictDays;
import org.meterhub.engine.leak.JdbcDistricts;
import org.meterhub.engine.leak.NetworkBalance;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * One district: per utility day, the inlet against the sum of the customer meters with the band of
 * their combined uncertainty, and the district's leak alarms. The days are {@link DistrictDays}'
 * (the judgement {@code meterhub balance} prints and raises alarms from), read only: a page view
 * never raises an alarm. The period's totals are the API's {@code /api/v1/districts/{id}/balance}.
 */
final class DistrictPage {
    /** Days shown when the request names none: the last 30 whole days. */
    static final int DEFAULT_DAYS = 30;
    private static final int ALARMS_SHOWN = 100;
    /**
     * The balance's own defaults ({@code meterhub balance} without --linear and --days): meters
     * combine root-sum-square, and a meter without a recorded accuracy class counts as class 1.5.
     */
    private static final BigDecimal DEFAULT_ACCURACY_PERCENT = new BigDecimal("1.5");

    private final TimeSeriesStore store;
    private final Reports reports;
    private final Clock clock;
    private final SqlDatabase db;
    private final DistrictDays days;

    /** @param db the store's database for the district list and the alarms; null shows the days without them */
    DistrictPage(TimeSeriesStore store, Reports reports, Clock clock, SqlDatabase db) {
        this.store = store;
        this.reports = reports;
        this.clock = clock;
        this.db = db;
        this.days = new DistrictDays(store, NetworkBalance.defaults(), DEFAULT_ACCURACY_PERCENT);
    }

    String render(String districtId, Map<String, String> q) {
        if (store.profiles(districtId).isEmpty()) throw new NotFoundException("no meters in district " + districtId);
        ZoneId zone = store.rollupZone(); // whole daily rollup buckets, as the balance run takes them
        LocalDate to = day(q, "to", LocalDate.ofInstant(clock.instant(), zone));
        LocalDate from = day(q, "from", to.minusDays(DEFAULT_DAYS));
        long span = ChronoUnit.DAYS.between(from, to);
        if (span <= 0 || span > DistrictBalanceRun.MAX_DAYS) {
            throw new BadParameterException("from", "the range must hold 1 to " + DistrictBalanceRun.MAX_DAYS + " days");
        }
        DistrictDays.Window w;
        try {
            w = days.days(districtId, from, to, zone);
        } catch (IllegalArgumentException e) {
            throw new BadParameterException("district", e.getMessage());
        }
        StringBuilder b = new StringBuilder();
        Report balance = reports.balance(districtId, from.atStartOfDay(zone).toInstant(), to.atStartOfDay(zone).toInstant());
        b.append(Html.summary(balance.summary(), List.of("from", "to", "inlet_meters", "customer_meters", "inlet_m3",
                "customers_m3", "loss_m3", "loss_ratio", "estimated")));
        b.append("<p class=\"note\">Days ").append(from).append(" to ").append(to.minusDays(1)).append(" (").append(zone.getId())
                .append("). The band is the customers' sum ± the combined uncertainty of every meter at its accuracy class"
                        + " (root-sum-square; class 1.5 where none is recorded): an inlet above it is beyond what the meters"
                        + " can explain, the judgement <code>meterhub balance</code> raises its alarm from after 3 days in a row."
                        + " A day on which a meter has no data is not judged.</p>");
        b.append("<div id=\"district-chart\" data-zone=\"").append(Html.esc(reports.zone().getId())).append("\"></div>");
        b.append("<script type=\"application/json\" id=\"district-series\">").append(series(w, zone)).append("</script>");
        b.append("<script src=\"/console/assets/uPlot.iife.min.js\"></script><script src=\"/console/assets/console.js\"></script>");

        b.append("<h2>Days</h2>");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = w.days().size() - 1; i >= 0; i--) {
            DistrictBalanceRun.Day d = w.days().get(i);
            if (d.balance().isEmpty()) {
                rows.add(Report.row("day", d.day().toString(), "inlet_m3", null, "customers_m3", null, "imbalance_m3", null,
                        "uncertainty_m3", null, "judged", "not judged: no data from " + String.join(", ", d.metersWithoutData())));
                continue;
            }
            NetworkBalance.DayBalance x = d.balance().get();
            rows.add(Report.row("day", d.day().toString(), "inlet_m3", m3(x.supplyL()), "customers_m3", m3(x.customersL()),
                    "imbalance_m3", m3(x.imbalanceL()), "uncertainty_m3", m3(x.uncertaintyL()),
                    "judged", x.exceeds() ? "BEYOND" : "ok"));
        }
        b.append(Html.table(new Report(Map.of(), "district_days", List.of("day", "inlet_m3", "customers_m3", "imbalance_m3",
                "uncertainty_m3", "judged"), rows), List.of("day", "inlet_m3", "customers_m3", "imbalance_m3", "uncertainty_m3",
                "judged"), DistrictBalanceRun.MAX_DAYS));

        b.append("<h2>Leak alarms</h2>");
        if (db == null) {
            b.append("<p class=\"note\">the alarms need the store's database</p>");
        } else {
            b.append(Html.table(alarms(new JdbcAlarmRepository(db).leaksOfDistrict(districtId, ALARMS_SHOWN)), ALARM_COLUMNS,
                    ALARMS_SHOWN));
            b.append("<p><a href=\"/console/alarms?kind=NETWORK_IMBALANCE\">work network-balance alarms</a></p>");
        }
        return b.toString();
    }

    /** The Fleet page's list of districts, each linked to its page. */
    String list() {
        if (db == null) return "";
        List<JdbcDistricts.District> all = new JdbcDistricts(db).all();
        StringBuilder b = new StringBuilder("<h2>Districts</h2><table class=\"report\" id=\"districts\"><thead><tr>"
                + "<th>district</th><th>inlet meters</th><th>customer meters</th></tr></thead><tbody>");
        for (JdbcDistricts.District d : all) {
            b.append("<tr><td><a href=\"/console/districts/").append(Html.esc(URLEncoder.encode(d.districtId(),
                    StandardCharsets.UTF_8))).append("\">").append(Html.esc(d.districtId())).append("</a></td><td>")
                    .append(d.inlets()).append("</td><td>").append(d.customers()).append("</td></tr>");
        }
        if (all.isEmpty()) b.append("<tr><td colspan=\"3\">no meter has a district</td></tr>");
        return b.append("</tbody></table>").toString();
    }

    private static final List<String> ALARM_COLUMNS = List.of("alarm_id", "kind", "subject", "state", "detail",
            "volume_lost_m3", "raised_at", "acknowledge_by", "resolve_by");

    private Report alarms(List<Alarm> alarms) {
        DateTimeFormatter t = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(reports.zone());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Alarm a : alarms) {
            rows.add(Report.row("alarm_id", a.id(), "kind", a.kind().name(), "subject", a.subject(), "state", a.state().name(),
                    "detail", a.detail(), "volume_lost_m3", a.volumeLostL().isPresent() ? m3(a.volumeLostL().getAsLong()) : null,
                    "raised_at", t.format(a.raisedAt()),
                    "acknowledge_by", a.due().containsKey(Milestone.ACKNOWLEDGE) ? t.format(a.due().get(Milestone.ACKNOWLEDGE)) : null,
                    "resolve_by", a.due().containsKey(Milestone.RESOLVE) ? t.format(a.due().get(Milestone.RESOLVE)) : null));
        }
        return new Report(Map.of(), "district_alarms", ALARM_COLUMNS, rows);
    }

    /**
     * The chart's data as JSON, numbers only (nothing to escape): day starts in epoch seconds, and per day the
     * inlet's and the customers' litres and the uncertainty in litres; null on a day that was not judged.
     */
    private static String series(DistrictDays.Window w, ZoneId zone) {
        StringBuilder x = new StringBuilder();
        StringBuilder inlet = new StringBuilder();
        StringBuilder customers = new StringBuilder();
        StringBuilder band = new StringBuilder();
        for (DistrictBalanceRun.Day d : w.days()) {
            if (x.length() > 0) {
                x.append(',');
                inlet.append(',');
                customers.append(',');
                band.append(',');
            }
            x.append(d.day().atStartOfDay(zone).toEpochSecond());
            if (d.balance().isPresent()) {
                NetworkBalance.DayBalance v = d.balance().get();
                inlet.append(v.supplyL());
                customers.append(v.customersL());
                band.append(v.uncertaintyL());
            } else {
                inlet.append("null");
                customers.append("null");
                band.append("null");
            }
        }
        return "{\"x\":[" + x + "],\"inlet_l\":[" + inlet + "],\"customers_l\":[" + customers + "],\"uncertainty_l\":["
                + band + "]}";
    }

    private static LocalDate day(Map<String, String> q, String name, LocalDate otherwise) {
        String v = q.get(name);
        if (v == null || v.isBlank()) return otherwise;
        try {
            return LocalDate.parse(v.strip());
        } catch (DateTimeException e) {
            throw new BadParameterException(name, "expected YYYY-MM-DD, got \"" + v + "\"");
        }
    }

    static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }
}
