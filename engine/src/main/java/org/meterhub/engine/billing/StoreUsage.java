package org.meterhub.engine.billing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalCorrection;
import org.meterhub.engine.consumption.JdbcCorrectionRepository;
import org.meterhub.engine.consumption.JdbcMeterExchanges;
import org.meterhub.engine.consumption.MeterExchange;
import org.meterhub.engine.estimation.Estimate;
import org.meterhub.engine.estimation.ReadingWindow;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.query.Step;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.RollupRow;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * Gathers an account's {@link AccountUsage} for a bill period from the store: the daily rollups
 * (base consumption per billing day in the store's rollup zone), the readings that bound them,
 * meter exchanges into the account's meter inside the period, correction records of late readings,
 * and the estimates the caller hands over. Reads only; the records it reads are written by the
 * engine's other capabilities.
 */
public final class StoreUsage {
    private static final Duration LAST_ACTUAL_LOOKBACK = Duration.ofDays(62); // as EstimationCycle
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private final TimeSeriesStore store;
    private final JdbcCorrectionRepository corrections;
    private final JdbcMeterExchanges exchanges;
    private final ZoneId zone;

    public StoreUsage(TimeSeriesStore store, JdbcCorrectionRepository corrections, JdbcMeterExchanges exchanges) {
        this.store = Objects.requireNonNull(store, "store");
        this.corrections = Objects.requireNonNull(corrections, "corrections");
        this.exchanges = Objects.requireNonNull(exchanges, "exchanges");
        this.zone = store.rollupZone();
    }

    public ZoneId zone() {
        return zone;
    }

    /**
     * @param estimate         this cycle's estimate of the account, if any
     * @param previousEstimate the previous cycle's estimate, when the previous bill charged it and
     *                         this cycle is read (it is trued up on this bill)
     */
    public AccountUsage gather(Account account, BillPeriod p, Optional<Estimate> estimate, Optional<Estimate> previousEstimate) {
        List<AccountUsage.MeterDays> meters = new ArrayList<>();
        List<AccountUsage.CorrectionDays> corrected = new ArrayList<>();
        for (MeterSpan m : meterSpans(account.meterId(), p)) {
            NavigableMap<LocalDate, Long> base = rollups(m.meterId(), p.start(), p.end());
            meters.add(new AccountUsage.MeterDays(m.meterId(), base, m.note() + readingsText(m.meterId(), p.start(), p.end())));
            correctionDays(m.meterId(), p.start(), p.end(), base).ifPresent(corrected::add);
        }
        Optional<AccountUsage.EstimatePart> thisOne = estimate.map(this::part);
        Optional<AccountUsage.TrueUpPart> trueUp = previousEstimate.filter(x -> estimate.isEmpty())
                .filter(x -> !actual(store.readings(x.meterId(), new BillPeriod(x.cycle(), zone).end(), p.end())).isEmpty())
                .map(prev -> {
            AccountUsage.EstimatePart part = part(prev);
            Instant from = part.firstDay().atStartOfDay(zone).toInstant();
            Instant to = part.lastDay().plusDays(1).atStartOfDay(zone).toInstant();
            NavigableMap<LocalDate, Long> measured = rollups(prev.meterId(), from, to);
            correctionDays(prev.meterId(), from, to, measured).ifPresent(c ->
                    c.deltaL().forEach((day, d) -> measured.merge(day, d, Long::sum)));
            return new AccountUsage.TrueUpPart(part, measured, readingsText(prev.meterId(), from, p.end()));
        });
        return new AccountUsage(p, meters, thisOne, trueUp, corrected);
    }

    /** The days an estimate covers: from its last actual reading's day to its cycle's last billed day. */
    AccountUsage.EstimatePart part(Estimate e) {
        ReadingWindow w = new ReadingWindow(e.cycle(), zone);
        List<Reading> before = actual(store.readings(e.meterId(), w.start().minus(LAST_ACTUAL_LOOKBACK), w.start()));
        Instant base = null;
        for (int i = before.size() - 1; i >= 0 && base == null; i--) {
            if (before.get(i).volumeL() == e.baseRegisterL()) base = before.get(i).time();
        }
        if (base == null && !before.isEmpty()) base = before.get(before.size() - 1).time();
        if (base == null) base = store.meter(e.meterId()).map(MeterInfo::baseTime).orElse(w.start());
        LocalDate first = LocalDate.ofInstant(base, zone);
        LocalDate last = new BillPeriod(e.cycle(), zone).lastDay();
        if (first.isAfter(last)) first = last;
        return new AccountUsage.EstimatePart(e, first, last);
    }

    private record MeterSpan(String meterId, String note) {
    }

    /** The account's meter and, oldest first, the meters it replaced inside the period. */
    private List<MeterSpan> meterSpans(String meterId, BillPeriod p) {
        List<MeterSpan> spans = new ArrayList<>();
        String current = meterId;
        String note = "";
        for (int guard = 0; guard < 16; guard++) {
            List<MeterExchange> in = exchanges.into(current, p.start(), p.end());
            if (in.isEmpty()) break;
            MeterExchange x = in.get(in.size() - 1);
            spans.add(new MeterSpan(current, note + "fitted " + shown(x.time()) + " with first register "
                    + BillCalculator.m3(x.newFirstL()) + " m3 (exchange recorded by " + x.recordedBy() + "), "));
            current = x.oldMeterId();
            note = "removed " + shown(x.time()) + " at final register " + BillCalculator.m3(x.oldFinalL()) + " m3, ";
        }
        spans.add(new MeterSpan(current, note));
        Collections.reverse(spans);
        return spans;
    }

    private NavigableMap<LocalDate, Long> rollups(String meterId, Instant from, Instant to) {
        NavigableMap<LocalDate, Long> days = new TreeMap<>();
        for (RollupRow r : store.rollup(Step.DAY, meterId, from, to)) {
            days.merge(LocalDate.ofInstant(r.bucket(), zone), r.volumeL(), Long::sum);
        }
        return days;
    }

    /** Consumption in force minus base consumption per day, when a correction touches [from, to). */
    private Optional<AccountUsage.CorrectionDays> correctionDays(String meterId, Instant from, Instant to,
                                                                 NavigableMap<LocalDate, Long> base) {
        List<IntervalCorrection> touching = corrections.corrections(meterId).stream()
                .filter(c -> c.from().isBefore(to) && c.to().isAfter(from)).toList();
        if (touching.isEmpty()) return Optional.empty();
        NavigableMap<LocalDate, Long> delta = new TreeMap<>();
        for (ConsumptionInterval i : corrections.effective(meterId, from, to)) {
            delta.merge(LocalDate.ofInstant(i.start(), zone), i.volumeL(), Long::sum);
        }
        base.forEach((day, litres) -> delta.merge(day, -litres, Long::sum));
        delta.values().removeIf(v -> v == 0);
        String causes = touching.stream().map(c -> "correction #" + c.sequence() + " (" + c.cause() + ")")
                .collect(Collectors.joining(", "));
        return delta.isEmpty() ? Optional.empty() : Optional.of(new AccountUsage.CorrectionDays(meterId, delta,
                "meter " + meterId + " consumption in force minus billed base by " + causes));
    }

    private String readingsText(String meterId, Instant from, Instant to) {
        List<Reading> rs = actual(store.readings(meterId, from, to));
        if (rs.isEmpty()) return spanText(null, from, to);
        Reading a = rs.get(0);
        Reading b = rs.get(rs.size() - 1);
        return spanText(new UsagePages.ReadingSpan(a.time(), a.volumeL(), b.time(), b.volumeL(), rs.size()), from, to);
    }

    /** The readings part of a usage line's explanation; {@code span} null when the period has none. */
    String spanText(UsagePages.ReadingSpan span, Instant from, Instant to) {
        if (span == null) return "no readings " + shown(from) + ".." + shown(to);
        return "readings " + shown(span.firstTime()) + " " + BillCalculator.m3(span.firstL()) + " m3 .. "
                + shown(span.lastTime()) + " " + BillCalculator.m3(span.lastL()) + " m3 (" + span.count() + " readings)";
    }

    /**
     * The usage of an account from a page's prefetched rollups and readings ({@link UsagePages}):
     * for an account whose meter had no exchange and no correction in the period and that has no
     * true-up to make, this gives what {@link #gather} gives, without a query of its own.
     */
    AccountUsage prefetched(Account account, BillPeriod p, Optional<Estimate> estimate, NavigableMap<LocalDate, Long> rollups,
                            UsagePages.ReadingSpan readings) {
        AccountUsage.MeterDays m = new AccountUsage.MeterDays(account.meterId(), rollups == null ? new TreeMap<>() : rollups,
                spanText(readings, p.start(), p.end()));
        return new AccountUsage(p, List.of(m), estimate.map(this::part), Optional.empty(), List.of());
    }

    /** The time as {@code yyyy-MM-dd HH:mm} in the zone (by hand for years 0..9999: a bill run shows two a bill). */
    private String shown(Instant t) {
        LocalDateTime d = LocalDateTime.ofInstant(t, zone);
        int y = d.getYear();
        if (y < 0 || y > 9999) return d.format(SHOWN);
        char[] c = new char[16];
        digits(c, 0, y, 4);
        c[4] = '-';
        digits(c, 5, d.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, d.getDayOfMonth(), 2);
        c[10] = ' ';
        digits(c, 11, d.getHour(), 2);
        c[13] = ':';
        digits(c, 14, d.getMinute(), 2);
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    private static List<Reading> actual(List<Reading> readings) {
        return readings.stream().filter(r -> r.source() != ReadingSource.ESTIMATED).toList();
    }
}
