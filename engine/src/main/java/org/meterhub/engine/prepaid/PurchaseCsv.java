package org.meterhub.engine.prepaid;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads service-hall purchase exports. Header (any column order, names exact):
 * {@code purchase_id,meter,time,amount_m3} or {@code ...,amount_cny}. {@code time} is ISO with an
 * offset, or a local {@code 2026-11-24T08:00[:00]} / {@code 2026-11-24} in the utility's zone.
 *
 * <p>Every bad line is reported with its number and reason; the good lines are still returned, so a
 * single typo does not block the other purchases of the day. No quoting: none of the fields can
 * contain a comma.
 */
public final class PurchaseCsv {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern METER = Pattern.compile("[0-9]{1,20}");

    public record Result(List<Purchase> purchases, List<String> errors) { }

    private PurchaseCsv() {
    }

    public static Result read(Reader in, ZoneId zone) throws IOException {
        BufferedReader r = new BufferedReader(in);
        List<Purchase> ok = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String header = r.readLine();
        if (header == null) {
            errors.add("line 1: empty file, expected a header purchase_id,meter,time,amount_m3");
            return new Result(ok, errors);
        }
        String[] cols = header.replace("\uFEFF", "").trim().split(",", -1);
        int id = -1, meter = -1, time = -1, amount = -1;
        BalanceUnit unit = null;
        for (int i = 0; i < cols.length; i++) {
            switch (cols[i].trim()) {
                case "purchase_id" -> id = i;
                case "meter" -> meter = i;
                case "time" -> time = i;
                case "amount_m3" -> { amount = i; unit = BalanceUnit.M3; }
                case "amount_cny" -> { amount = i; unit = BalanceUnit.CNY; }
                default -> errors.add("line 1: unknown column \"" + cols[i].trim() + "\"");
            }
        }
        if (id < 0 || meter < 0 || time < 0 || amount < 0) {
            errors.add("line 1: header must name purchase_id, meter, time and amount_m3 or amount_cny");
            return new Result(ok, errors);
        }
        String line;
        int n = 1;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            if (f.length != cols.length) {
                errors.add("line " + n + ": expected " + cols.length + " fields, got " + f.length);
                continue;
            }
            String pid = f[id].trim(), m = f[meter].trim(), t = f[time].trim(), a = f[amount].trim();
            if (!ID.matcher(pid).matches()) {
                errors.add("line " + n + ": purchase_id must be 1-64 of A-Z a-z 0-9 _ . : -, got \"" + pid + "\"");
                continue;
            }
            if (!METER.matcher(m).matches()) {
                errors.add("line " + n + ": meter must be 1-20 digits");
                continue;
            }
            Instant when;
            try {
                when = parseTime(t, zone);
            } catch (DateTimeParseException e) {
                errors.add("line " + n + ": time \"" + t + "\" is not 2026-11-24T08:00+08:00, 2026-11-24T08:00 or 2026-11-24");
                continue;
            }
            BigDecimal amt;
            try {
                amt = new BigDecimal(a);
            } catch (NumberFormatException e) {
                errors.add("line " + n + ": amount \"" + a + "\" is not a decimal number");
                continue;
            }
            if (amt.scale() > unit.decimals()) {
                errors.add("line " + n + ": amount " + a + " has more than " + unit.decimals() + " decimals");
                continue;
            }
            ok.add(new Purchase(pid, m, when, amt, unit));
        }
        return new Result(ok, errors);
    }

    static Instant parseTime(String t, ZoneId zone) {
        if (t.length() == 10) return LocalDate.parse(t).atStartOfDay(zone).toInstant();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        }
    }
}
