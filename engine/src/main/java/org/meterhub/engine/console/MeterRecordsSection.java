package org.meterhub.engine.console;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.meterhub.engine.api.Report;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.EstimateRetirement;
import org.meterhub.engine.estimation.JdbcEstimationRecords;
import org.meterhub.engine.estimation.TrueUp;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.leak.JdbcValveDecisionLog;
import org.meterhub.engine.leak.ValveDecision;
import org.meterhub.engine.lifecycle.JdbcMeterLifecycle;
import org.meterhub.engine.lifecycle.MeterRecord;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * The meter page's records below its alarms: the valve decisions taken on its leak alarms (and the
 * meter's answers), its estimates with their retirements and true-ups, and the meter record (the
 * head-end's profile and, when the meter went through stock, the lifecycle record with its dated
 * states). Each comes from its capability's repository, the same rows the CLI prints.
 */
final class MeterRecordsSection {
    private static final int SHOWN = 100;

    private final TimeSeriesStore store;
    private final ZoneId zone;
    private final SqlDatabase db;

    /** @param db the store's database, where these records live; null shows only the profile */
    MeterRecordsSection(TimeSeriesStore store, ZoneId zone, SqlDatabase db) {
        this.store = store;
        this.zone = zone;
        this.db = db;
    }

    String render(String meter, PartTimes times) {
        DateTimeFormatter t = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(zone);
        StringBuilder b = new StringBuilder();
        if (db != null) {
            b.append("<h2>Valve decisions (newest first)</h2>");
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ValveDecision d : times.time("valve_decisions", () -> new JdbcValveDecisionLog(db).forMeter(meter, SHOWN))) {
                // a decision row, or a later row with the same alarm carrying what the meter answered
                rows.add(Report.row("alarm_id", d.alarmId(), "decision", d.outcome().isPresent() ? "meter answered"
                                : d.close() ? "close the valve" : "leave open", "reason", d.reason(),
                        "decided_at", t.format(d.decidedAt()), "outcome", d.outcome().map(Enum::name).orElse(null),
                        "outcome_at", d.outcomeAt().map(t::format).orElse(null)));
            }
            b.append(Html.table(new Report(Map.of(), "valve_decisions", VALVE_COLUMNS, rows), VALVE_COLUMNS, SHOWN));

            JdbcEstimationRecords records = new JdbcEstimationRecords(db);
            b.append("<h2>Estimates and true-ups</h2>");
            Map<String, EstimateRetirement> retired = new java.util.HashMap<>();
            for (EstimateRetirement r : times.time("retirements", () -> records.retirementsOfMeter(meter, SHOWN))) {
                retired.put(r.accountId() + " " + r.cycle(), r);
            }
            rows = new ArrayList<>();
            for (Estimate e : times.time("estimates", () -> records.estimatesOfMeter(meter, SHOWN))) {
                EstimateRetirement r = retired.get(e.accountId() + " " + e.cycle());
                rows.add(Report.row("cycle", e.cycle().toString(), "account", e.accountId(), "volume_m3", DistrictPage.m3(e.volumeL()),
                        "estimated_register_m3", DistrictPage.m3(e.estimatedRegisterL()),
                        "method", e.method().name().toLowerCase(Locale.ROOT),
                        "raised_to_previous_month", e.raisedToPreviousMonth(), "basis", e.basis(),
                        "created_at", t.format(e.createdAt()),
                        "retired", r == null ? null : r.reason() + " (" + t.format(r.retiredAt()) + ")"));
            }
            b.append(Html.table(new Report(Map.of(), "estimates", ESTIMATE_COLUMNS, rows), ESTIMATE_COLUMNS, SHOWN));
            rows = new ArrayList<>();
            for (TrueUp u : times.time("true_ups", () -> records.trueUpsOfMeter(meter, SHOWN))) {
                rows.add(Report.row("estimated_cycle", u.estimatedCycle().toString(), "account", u.accountId(),
                        "estimated_m3", DistrictPage.m3(u.estimatedVolumeL()), "actual_m3", DistrictPage.m3(u.actualVolumeL()),
                        "difference_m3", DistrictPage.m3(u.differenceL()), "actual_register_m3",
                        DistrictPage.m3(u.actualRegisterL()), "actual_time", t.format(u.actualTime()),
                        "created_at", t.format(u.createdAt())));
            }
            b.append(Html.table(new Report(Map.of(), "true_ups", TRUE_UP_COLUMNS, rows), TRUE_UP_COLUMNS, SHOWN));
        }

        b.append("<h2>Meter record</h2>");
        Optional<MeterProfile> profile = times.time("profile", () -> store.profile(meter));
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        profile.ifPresent(p -> fields.putAll(Report.row("medium", p.info().medium().name().toLowerCase(Locale.ROOT),
                "meter_type", p.meterType(), "customer_class", p.customerClass() == null ? null
                        : p.customerClass().name().toLowerCase(Locale.ROOT), "accuracy_class", p.accuracyClass(),
                "qmax_m3_per_h", p.qmaxLph() == null ? null : DistrictPage.m3(p.qmaxLph()),
                "district", p.districtId(), "location", p.location(), "role", p.role().name().toLowerCase(Locale.ROOT))));
        Optional<MeterRecord> record = db == null ? Optional.empty()
                : times.time("lifecycle", () -> new JdbcMeterLifecycle(db).find(meter));
        record.ifPresent(r -> fields.putAll(Report.row("brand", r.brand(), "model", r.model(), "serial", r.serial(),
                "production_date", r.productionDate().toString(), "first_verification", r.firstVerification().toString(),
                "gas_type", r.gasType().name().toLowerCase(Locale.ROOT), "delivered", r.refurbished() ? "refurbished" : "new",
                "state", r.state().name())));
        if (fields.isEmpty()) {
            b.append("<p class=\"note\">no profile and no lifecycle record for this meter</p>");
        } else {
            b.append("<div id=\"meter-record\">").append(Html.summary(fields, List.copyOf(fields.keySet()))).append("</div>");
        }
        if (record.isPresent()) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (MeterRecord.StateEvent e : record.get().events()) {
                events.add(Report.row("seq", e.seq(), "day", e.day().toString(), "state", e.state().name(), "detail", e.detail()));
            }
            b.append(Html.table(new Report(Map.of(), "meter_states", STATE_COLUMNS, events), STATE_COLUMNS, SHOWN));
        } else if (db != null) {
            b.append("<p class=\"note\">no lifecycle record (brand, model, serial, dates): add one with"
                    + " <code>meterhub meters add</code></p>");
        }
        return b.toString();
    }

    private static final List<String> VALVE_COLUMNS = List.of("alarm_id", "decision", "reason", "decided_at", "outcome",
            "outcome_at");
    private static final List<String> ESTIMATE_COLUMNS = List.of("cycle", "account", "volume_m3", "estimated_register_m3",
            "method", "raised_to_previous_month", "basis", "created_at", "retired");
    private static final List<String> TRUE_UP_COLUMNS = List.of("estimated_cycle", "account", "estimated_m3", "actual_m3",
            "difference_m3", "actual_register_m3", "actual_time", "created_at");
    private static final List<String> STATE_COLUMNS = List.of("seq", "day", "state", "detail");
}
