package org.meterhub.engine.api;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountsToRead;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.coverage.CoverageQuery;
import org.meterhub.engine.coverage.CoverageReport;
import org.meterhub.engine.estimation.ReadingWindow;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.query.Bucket;
import org.meterhub.engine.query.ConsumptionQuery;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterTotal;
import org.meterhub.engine.store.TimeSeriesStore;
import org.meterhub.engine.vee.ValidationFlag;
import org.meterhub.engine.vee.ValidationRepository;

/**
 * The queries behind the HTTP API and the {@code query} command, as {@link Report}s. Volumes are
 * exact: litres as integers and m³ as decimal strings. Every row of every series says whether
 * it is estimated and which flags it carries. With a {@link ValidationRepository}, the engine's
 * validation findings (e.g. a volume converter's CONVERSION_ERROR) show with their reasons too.
 */
public final class Reports {

    /** Longest range a single request may cover, to keep answers and memory bounded. */
    public static final Duration MAX_RANGE = Duration.ofDays(3 * 366);
    /** Most readings one request returns. */
    public static final int MAX_READINGS = 200_000;

    private final TimeSeriesStore store;
    private final ZoneId zone;
    private final DateTimeFormatter times;
    private final ValidationRepository validation;
    private final CoverageQuery coverage;
    private final org.meterhub.engine.gateways.GatewayHealth gateways;

    /** Without validation findings: readings and intervals with the flags they carry. */
    public Reports(TimeSeriesStore store, ZoneId zone) {
        this(store, zone, null);
    }

    /** @param validation where the engine keeps its validation flags (usually on the store's database); null for none */
    public Reports(TimeSeriesStore store, ZoneId zone, ValidationRepository validation) {
        this(store, zone, validation, null);
    }

    /** @param coverage the reading-coverage query (estimates, work items and read attempts live in the store's database); null for none */
    public Reports(TimeSeriesStore store, ZoneId zone, ValidationRepository validation, CoverageQuery coverage) {
        this(store, zone, validation, coverage, null);
    }

    /** @param gateways the gateways' reported status, judged (in the store's database); null for none */
    public Reports(TimeSeriesStore store, ZoneId zone, ValidationRepository validation, CoverageQuery coverage,
                   org.meterhub.engine.gateways.GatewayHealth gateways) {
        this.gateways = gateways;
        this.store = Objects.requireNonNull(store, "store");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.times = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(zone);
        this.validation = validation;
        this.coverage = coverage;
    }

    public ZoneId zone() {
        return zone;
    }

    public Report consumption(String meterId, Instant from, Instant to, Step step) {
        requireMeter(meterId);
        List<Bucket> buckets = ConsumptionQuery.series(store, meterId, from, to, step, zone);
        List<Map<String, Object>> rows = new ArrayList<>(buckets.size());
        for (Bucket b : buckets) {
            rows.add(Report.row("start", time(b.start()), "end", time(b.end()), "volume_l", b.volumeL(),
                    "volume_m3", m3(b.volumeL()), "intervals", b.intervals(), "estimated",
                    b.flags().contains(IntervalFlag.ESTIMATED), "flags", codes(b.flags())));
        }
        long total = ConsumptionQuery.total(buckets);
        return new Report(Report.row("meter", meterId, "from", time(from), "to", time(to), "step", step.label(),
                "zone", zone.getId(), "total_l", total, "total_m3", m3(total)), "series",
                List.of("start", "end", "volume_l", "volume_m3", "intervals", "estimated", "flags"), rows);
    }

    public Report readings(String meterId, Instant from, Instant to) {
        requireMeter(meterId);
        List<Reading> readings = store.readings(meterId, from, to);
        return readings(meterId, from, to, readings, validationFlags(meterId, from, to));
    }

    /** The {@link #readings} and {@link #flags} reports of one range. */
    public record ReadingsAndFlags(Report readings, Report flags) {
    }

    /**
     * {@link #readings} and {@link #flags} of the same range, the same reports, from one read of the
     * readings and of the findings (the console's meter page shows both).
     */
    public ReadingsAndFlags readingsAndFlags(String meterId, Instant from, Instant to) {
        requireMeter(meterId);
        List<Reading> readings = store.readings(meterId, from, to);
        List<ValidationFlag> found = validationFlags(meterId, from, to);
        return new ReadingsAndFlags(readings(meterId, from, to, readings, found),
                flags(meterId, from, to, readings, found, store.intervals(meterId, from, to)));
    }

    private Report readings(String meterId, Instant from, Instant to, List<Reading> readings, List<ValidationFlag> flags) {
        if (readings.size() > MAX_READINGS) {
            throw new BadParameterException("to", "more than " + MAX_READINGS + " readings; ask for a shorter range");
        }
        Map<Instant, List<String>> found = new java.util.HashMap<>();
        for (ValidationFlag f : flags) {
            found.computeIfAbsent(f.readingTime(), t -> new ArrayList<>()).add(f.kind().name().toLowerCase(Locale.ROOT));
        }
        List<Map<String, Object>> rows = new ArrayList<>(readings.size());
        for (Reading r : readings) {
            rows.add(readingRow(r, found.getOrDefault(r.time(), List.of())));
        }
        return new Report(Report.row("meter", meterId, "from", time(from), "to", time(to), "count", rows.size()),
                "readings", List.of("time", "received_at", "meter_time", "source", "register_l", "register_m3",
                        "status_bits", "estimated", "flags", "validation"), rows);
    }

    private Map<String, Object> readingRow(Reading r, List<String> validationKinds) {
        // meter_time: the meter's own clock when it was kept apart from time (skewed), else null
        // validation: the engine's findings on this reading (query flags gives their reasons)
        return Report.row("time", time(r.time()), "received_at", time(r.receivedAt()),
                "meter_time", r.meterTime() == null ? null : time(r.meterTime()), "source",
                r.source().name().toLowerCase(Locale.ROOT), "register_l", r.volumeL(), "register_m3", m3(r.volumeL()),
                "status_bits", r.statusBits(), "estimated", estimated(r), "flags", codes(r.flags()),
                "validation", validationKinds.stream().sorted().toList());
    }

    private List<ValidationFlag> validationFlags(String meterId, Instant from, Instant to) {
        return validation == null ? List.of() : validation.flags(meterId, from, to);
    }

    /**
     * Readings and intervals that carry a flag, and the engine's validation findings with their reasons,
     * oldest first (at one time: readings, then findings on them, then intervals).
     */
    public Report flags(String meterId, Instant from, Instant to) {
        requireMeter(meterId);
        List<Reading> readings = store.readings(meterId, from, to);
        return flags(meterId, from, to, readings, validationFlags(meterId, from, to), store.intervals(meterId, from, to));
    }

    private Report flags(String meterId, Instant from, Instant to, List<Reading> readings, List<ValidationFlag> found,
                         List<ConsumptionInterval> intervals) {
        record Row(Instant at, int order, Map<String, Object> row) {
        }
        List<Row> rows = new ArrayList<>();
        Map<Instant, Long> registers = new java.util.HashMap<>();
        for (Reading x : readings) {
            registers.put(x.time(), x.volumeL());
            if (!x.flags().isEmpty() || x.source() == ReadingSource.ESTIMATED) {
                rows.add(new Row(x.time(), 0, Report.row("kind", "reading", "start", time(x.time()), "end", null, "value_l",
                        x.volumeL(), "estimated", estimated(x), "flags", codes(x.flags()), "reason", null)));
            }
        }
        for (ValidationFlag f : found) {
            rows.add(new Row(f.readingTime(), 1, Report.row("kind", "validation", "start", time(f.readingTime()), "end", null,
                    "value_l", registers.get(f.readingTime()), "estimated", false, "flags", codes(List.of(f.kind())),
                    "reason", f.reason())));
        }
        for (ConsumptionInterval x : intervals) {
            if (!x.flags().isEmpty()) {
                rows.add(new Row(x.start(), 2, Report.row("kind", "interval", "start", time(x.start()), "end", time(x.end()),
                        "value_l", x.volumeL(), "estimated", x.flags().contains(IntervalFlag.ESTIMATED), "flags",
                        codes(x.flags()), "reason", null)));
            }
        }
        rows.sort(java.util.Comparator.comparing(Row::at).thenComparingInt(Row::order));
        return new Report(Report.row("meter", meterId, "from", time(from), "to", time(to), "count", rows.size()),
                "flags", List.of("kind", "start", "end", "value_l", "estimated", "flags", "reason"),
                rows.stream().map(Row::row).toList());
    }

    /**
     * Last seen, battery and read success rate in [from, to): distinct reading times over the
     * reads expected at one per {@code expectedInterval}, capped at 1.
     */
    public Report health(String meterId, Instant from, Instant to, Duration expectedInterval) {
        requireMeter(meterId);
        Optional<Reading> last = store.lastReading(meterId);
        long expected = Math.max(1, Duration.between(from, to).dividedBy(expectedInterval));
        long got = store.readingTimes(meterId, from, to);
        BigDecimal rate = BigDecimal.valueOf(Math.min(got, expected)).divide(BigDecimal.valueOf(expected), 4,
                RoundingMode.HALF_EVEN);
        String battery = last.map(r -> r.has(ReadingFlag.LOW_BATTERY) ? "low" : "ok").orElse("unknown");
        Map<String, Object> summary = Report.row("meter", meterId, "from", time(from), "to", time(to),
                "last_seen", last.map(r -> time(r.receivedAt())).orElse(null),
                "last_reading_time", last.map(r -> time(r.time())).orElse(null),
                "last_register_l", last.map(Reading::volumeL).orElse(null),
                "battery", battery,
                "valve", last.map(r -> r.has(ReadingFlag.VALVE_FAULT) ? "fault"
                        : r.has(ReadingFlag.VALVE_CLOSED) ? "closed" : "open").orElse("unknown"),
                "reads_expected", expected, "reads_received", got, "read_success_rate", rate.toPlainString(),
                "last_flags", last.map(r -> codes(r.flags())).orElse(List.of()));
        return new Report(summary, "health", List.copyOf(summary.keySet()), List.of(summary));
    }

    /** Each customer meter's consumption in the district, largest first, with the balance against the inlets. */
    public Report district(String districtId, Instant from, Instant to) {
        List<MeterProfile> meters = store.profiles(districtId);
        if (meters.isEmpty()) {
            throw new NotFoundException("no meters in district " + districtId);
        }
        List<MeterTotal> customers = store.totals(from, to, districtId, false, Integer.MAX_VALUE);
        List<MeterTotal> inlets = store.totals(from, to, districtId, true, Integer.MAX_VALUE);
        Map<String, Object> summary = balance(districtId, from, to, customers, inlets);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MeterTotal t : customers) {
            rows.add(totalRow(t));
        }
        return new Report(summary, "meters", List.of("meter", "volume_l", "volume_m3", "intervals", "estimated",
                "flags"), rows);
    }

    /** Only the district's balance: inlet volume, customer volume, loss and loss ratio. */
    public Report balance(String districtId, Instant from, Instant to) {
        if (store.profiles(districtId).isEmpty()) {
            throw new NotFoundException("no meters in district " + districtId);
        }
        Map<String, Object> summary = balance(districtId, from, to,
                store.totals(from, to, districtId, false, Integer.MAX_VALUE),
                store.totals(from, to, districtId, true, Integer.MAX_VALUE));
        return new Report(summary, "balance", List.copyOf(summary.keySet()), List.of(summary));
    }

    private Map<String, Object> balance(String districtId, Instant from, Instant to, List<MeterTotal> customers,
                                        List<MeterTotal> inlets) {
        long customerL = sum(customers);
        long inletL = sum(inlets);
        long lossL = inletL - customerL;
        Set<IntervalFlag> flags = EnumSet.noneOf(IntervalFlag.class);
        customers.forEach(t -> flags.addAll(t.flags()));
        inlets.forEach(t -> flags.addAll(t.flags()));
        return Report.row("district", districtId, "from", time(from), "to", time(to),
                "inlet_meters", inlets.size(), "customer_meters", customers.size(),
                "inlet_l", inletL, "inlet_m3", m3(inletL), "customers_l", customerL, "customers_m3", m3(customerL),
                "loss_l", lossL, "loss_m3", m3(lossL),
                "loss_ratio", inletL == 0 ? null : BigDecimal.valueOf(lossL).divide(BigDecimal.valueOf(inletL), 4,
                        RoundingMode.HALF_EVEN).toPlainString(),
                "estimated", flags.contains(IntervalFlag.ESTIMATED), "flags", codes(flags));
    }

    public Report topConsumers(Instant from, Instant to, int limit) {
        List<Map<String, Object>> rows = new ArrayList<>();
        int rank = 0;
        for (MeterTotal t : store.totals(from, to, null, false, limit)) {
            Map<String, Object> row = Report.row("rank", ++rank);
            row.putAll(totalRow(t));
            rows.add(row);
        }
        return new Report(Report.row("from", time(from), "to", time(to), "limit", limit), "meters",
                List.of("rank", "meter", "volume_l", "volume_m3", "intervals", "estimated", "flags"), rows);
    }

    /**
     * The accounts to read in a month, by the seed's formula ({@link AccountsToRead}): ignited =
     * registered − awaiting ignition; to read = ignited − vacant − removed − suspended − sealed −
     * ignited this month. The summary shows every term so a reader can check the arithmetic. By account id.
     *
     * @param districtId only this district's accounts, or all when null
     */
    public Report accountsToRead(YearMonth month, String districtId) {
        List<Account> all = new ArrayList<>();
        for (Account a : store.accounts(null)) {
            if (districtId == null || districtId.equals(a.districtId())) all.add(a);
        }
        AccountsToRead t = AccountsToRead.of(month, all);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Account a : t.accounts()) {
            rows.add(Report.row("account", a.accountId(), "meter", a.meterId(), "customer_class",
                    a.customerClass().name().toLowerCase(Locale.ROOT), "district", a.districtId(),
                    "ignited_on", a.ignitedOn() == null ? null : a.ignitedOn().toString()));
        }
        Map<String, Object> summary = Report.row("month", month.toString(), "district", districtId);
        summary.putAll(summary(t));
        return new Report(summary, "accounts", List.of("account", "meter", "customer_class", "district", "ignited_on"),
                rows);
    }

    /** The terms of the accounts-to-read formula, in its order, for any report that shows them. */
    public static Map<String, Object> summary(AccountsToRead t) {
        return Report.row("registered", t.registered(), "awaiting_ignition", t.awaitingIgnition(),
                "ignited", t.ignited(), "vacant", t.vacant(), "removed", t.removed(), "suspended", t.suspended(),
                "sealed", t.sealed(), "ignited_this_month", t.ignitedThisMonth(), "to_read", t.toRead());
    }

    /**
     * A cycle's reading coverage ({@link CoverageQuery}): the accounts-to-read terms, read / estimated /
     * missing, monthly and quarterly coverage and the estimates' share against their targets; one row
     * per account needing attention (second visit; commercial not read this week).
     *
     * @param at end of "this week" for commercial accounts; null for now (or the window's end)
     */
    public Report coverage(YearMonth cycle, Instant at) {
        if (coverage == null) throw new NotFoundException("coverage needs the store's database (not a private in-memory store)");
        CoverageReport c = coverage.cycle(cycle, at);
        ReadingWindow w = c.window();
        Map<String, Object> summary = Report.row("cycle", cycle.toString(), "window", w.firstDay() + ".." + w.lastDay());
        summary.putAll(summary(c.accounts()));
        summary.putAll(Report.row("read", c.read(), "estimated", c.estimated(), "missing", c.missing(),
                "monthly_coverage_percent", c.monthlyCoverage().map(BigDecimal::toPlainString).orElse(null),
                "monthly_target_percent", c.settings().monthlyTargetPercent().toPlainString(),
                "monthly_met", c.monthlyMet(),
                "quarter_cycles", c.quarterCycles().stream().map(YearMonth::toString).toList(),
                "read_in_quarter", c.readInQuarter(),
                "quarterly_coverage_percent", c.quarterlyCoverage().map(BigDecimal::toPlainString).orElse(null),
                "quarterly_target_percent", c.settings().quarterlyTargetPercent().toPlainString(),
                "quarterly_met", c.quarterlyMet(),
                "households_managed", c.householdsManaged(),
                "estimated_percent", c.estimatedShare().map(BigDecimal::toPlainString).orElse(null),
                "max_estimated_percent", c.settings().maxEstimatedPercent().toPlainString(),
                "allowed_estimates", c.allowedEstimates(),
                "estimates_within_limit", c.estimatesWithinLimit(),
                "second_visits", c.attention(CoverageReport.Need.SECOND_VISIT).size(),
                "commercial_not_read_this_week", c.attention(CoverageReport.Need.COMMERCIAL_NOT_READ_THIS_WEEK).size(),
                "week_ends", time(c.at())));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CoverageReport.Attention a : c.attention()) {
            rows.add(Report.row("account", a.accountId(), "meter", a.meterId(), "customer_class", a.customerClass(),
                    "need", a.need().name().toLowerCase(Locale.ROOT), "last_read", a.lastRead().map(this::time).orElse(null),
                    "failed_attempts", a.failedAttempts(), "work_item", a.workItem()));
        }
        return new Report(summary, "attention", List.of("account", "meter", "customer_class", "need", "last_read",
                "failed_attempts", "work_item"), rows);
    }

    /** The gateways as the console's Gateways page shows them: one row per gateway, as it last reported itself. */
    public Report gateways(Instant now) {
        List<org.meterhub.engine.gateways.GatewayHealth.Gateway> all = gatewayHealth().all(now);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (org.meterhub.engine.gateways.GatewayHealth.Gateway g : all) {
            org.meterhub.engine.gateways.GatewayStatus s = g.status();
            Map<String, Integer> states = new java.util.TreeMap<>();
            for (org.meterhub.engine.gateways.GatewayHealth.Bus b : g.buses()) {
                states.merge(b.state().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
            rows.add(Report.row("gateway", s.gatewayId(), "reported_at", time(s.reportedAt()), "reporting", g.reporting(),
                    "dtus_connected", s.dtusConnected(), "dtus_configured", s.dtusConfigured(),
                    "meters_online", s.metersOnline(), "meters_configured", s.metersConfigured(),
                    "polls_ok", s.pollsOk(), "polls_failed", s.pollsFailed(), "journal_backlog", s.journalBacklog(),
                    "journal_level", s.journalLevel(), "buses", g.buses().size(),
                    "buses_ok", states.getOrDefault("ok", 0), "buses_degraded", states.getOrDefault("degraded", 0),
                    "buses_down", states.getOrDefault("down", 0)));
        }
        return new Report(Report.row("at", time(now), "count", rows.size(), "not_reporting_after_s",
                org.meterhub.engine.gateways.GatewayHealth.STALE_AFTER.toSeconds()), "gateways", GATEWAY_COLUMNS, rows);
    }

    /** Every gateway's buses with their state, as the Gateways page's bus table. */
    public Report buses(Instant now) {
        org.meterhub.engine.gateways.GatewayHealth health = gatewayHealth();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (org.meterhub.engine.gateways.GatewayHealth.Gateway g : health.all(now)) {
            for (org.meterhub.engine.gateways.GatewayHealth.Bus b : g.buses()) {
                org.meterhub.engine.gateways.BusStatus x = b.status();
                rows.add(Report.row("gateway", g.status().gatewayId(), "gateway_reporting", g.reporting(), "kind", x.kind(),
                        "name", x.name(), "state", b.state().name().toLowerCase(Locale.ROOT), "why", b.why(),
                        "connected", x.connected(), "polls_ok", x.pollsOk(), "polls_failed", x.pollsFailed(),
                        "failed_percent", b.failedPercent() == null ? null : b.failedPercent().toPlainString(),
                        "window_s", x.window().toSeconds(), "last_ok", x.lastOk() == null ? null : time(x.lastOk()),
                        "last_error_at", x.lastErrorAt() == null ? null : time(x.lastErrorAt()), "last_error", x.lastError()));
            }
        }
        return new Report(Report.row("at", time(now), "count", rows.size(),
                "degraded_percent", health.settings().degradedPercent(), "down_percent", health.settings().downPercent()),
                "buses", BUS_COLUMNS, rows);
    }

    private org.meterhub.engine.gateways.GatewayHealth gatewayHealth() {
        if (gateways == null) throw new NotFoundException("gateway status needs the store's database (not a private in-memory store)");
        return gateways;
    }

    private static final List<String> GATEWAY_COLUMNS = List.of("gateway", "reported_at", "reporting", "dtus_connected",
            "dtus_configured", "meters_online", "meters_configured", "polls_ok", "polls_failed", "journal_backlog",
            "journal_level", "buses", "buses_ok", "buses_degraded", "buses_down");
    private static final List<String> BUS_COLUMNS = List.of("gateway", "gateway_reporting", "kind", "name", "state", "why",
            "connected", "polls_ok", "polls_failed", "failed_percent", "window_s", "last_ok", "last_error_at", "last_error");

    /** Rows of the alarms table; the alarm lifecycle owns its columns. */
    public Report alarms(String meterId, int limit) {
        Optional<List<Map<String, Object>>> stored = store.alarms(meterId, limit);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> r : stored.orElse(List.of())) {
            Map<String, Object> shown = new LinkedHashMap<>();
            r.forEach((k, v) -> shown.put(k, v instanceof Instant t ? time(t) : v)); // times in the zone, as everywhere
            rows.add(shown);
        }
        return new Report(Report.row("meter", meterId, "available", stored.isPresent(), "count", rows.size()),
                "alarms", ALARM_COLUMNS, rows);
    }

    /**
     * The month's alarm deadline report ({@code GET /api/v1/alarms/report?month=}): per kind, rule
     * and deadline, of the alarms resolved in the month, how many met it; the rows come from
     * {@code AlarmService.report}, the query {@code meterhub alarms report} prints.
     */
    public Report alarmDeadlines(java.time.YearMonth month, List<org.meterhub.engine.alarm.DeadlineShare> shares) {
        List<Map<String, Object>> rows = new ArrayList<>();
        long met = 0;
        long applied = 0;
        for (org.meterhub.engine.alarm.DeadlineShare s : shares) {
            rows.add(Report.row("kind", s.kind().name(), "rule", s.rule(), "deadline", s.milestone().label(),
                    "met", s.met(), "applied", s.applied(),
                    "percent_met", s.percentMet().map(BigDecimal::toPlainString).orElse(null)));
            met += s.met();
            applied += s.applied();
        }
        Object all = org.meterhub.engine.alarm.DeadlineShare.percent(met, applied).map(BigDecimal::toPlainString).orElse(null);
        return new Report(Report.row("month", month.toString(), "zone", zone.getId(), "counted_by", "resolved_at",
                "met", met, "applied", applied, "percent_met", all),
                "deadlines", List.of("kind", "rule", "deadline", "met", "applied", "percent_met"), rows);
    }

    /**
     * The columns of the alarms table (V3, V13) as the API shows them: observed_at is when the meter
     * measured the event, raised_at when the utility learned of it (deadlines run from there); the
     * *_met columns are 1 or 0 once the alarm is closed (null without that deadline).
     */
    private static final List<String> ALARM_COLUMNS = List.of("alarm_id", "kind", "category", "subject", "meter_id",
            "detail", "volume_lost_l", "observed_at", "raised_at", "deadline_rule", "acknowledge_by", "on_site_by",
            "resolve_by", "follow_up_by", "state", "acknowledged_at", "acknowledged_by", "on_site_at", "on_site_actor",
            "resolved_at", "resolved_by", "resolution", "followed_up_at", "followed_up_by", "acknowledge_met",
            "on_site_met", "resolve_met", "follow_up_met");

    private Map<String, Object> totalRow(MeterTotal t) {
        return Report.row("meter", t.meterId(), "volume_l", t.volumeL(), "volume_m3", m3(t.volumeL()),
                "intervals", t.intervals(), "estimated", t.flags().contains(IntervalFlag.ESTIMATED),
                "flags", codes(t.flags()));
    }

    private void requireMeter(String meterId) {
        if (store.meter(meterId).isEmpty() && store.lastReading(meterId).isEmpty()) {
            throw new NotFoundException("no meter " + meterId);
        }
    }

    private static long sum(List<MeterTotal> totals) {
        long sum = 0;
        for (MeterTotal t : totals) {
            sum = Math.addExact(sum, t.volumeL());
        }
        return sum;
    }

    private static boolean estimated(Reading r) {
        return r.source() == ReadingSource.ESTIMATED || r.has(ReadingFlag.ESTIMATED);
    }

    private String time(Instant t) {
        return times.format(t);
    }

    static String m3(long litres) {
        return BigDecimal.valueOf(litres, 3).toPlainString();
    }

    private static List<String> codes(Collection<? extends Enum<?>> flags) {
        return flags.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).sorted().toList();
    }
}
