package org.meterhub.gateway.mqtt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the JSON of {@code meters/{meter}/up} into an {@link Uplink}, or says precisely why not.
 *
 * <p>Uses Jackson's streaming parser rather than a tree: the gateway parses every uplink of every
 * meter, and a tree per message is most of the cost. Unknown fields are skipped (the contract
 * allows them); a field given twice is refused, because which one counts would be a guess.
 */
public final class UplinkParser {
    /** protocols.md §3: up to 96 earlier readings per message (four days of hourly values). */
    public static final int MAX_HISTORY = 96;
    private static final BigDecimal MAX_BATTERY_V = new BigDecimal("10");

    private final JsonFactory json = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private final UplinkSettings settings;

    public UplinkParser(UplinkSettings settings) {
        this.settings = settings;
    }

    public Uplink parse(byte[] payload) throws UplinkRejected {
        if (payload.length > settings.maxPayloadBytes()) {
            throw new UplinkRejected(RejectReason.TOO_LARGE, payload.length + " bytes");
        }
        try (JsonParser p = json.createParser(payload)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new UplinkRejected(RejectReason.BAD_JSON, "empty payload");
            if (first != JsonToken.START_OBJECT) throw new UplinkRejected(RejectReason.NOT_AN_OBJECT, "top level is " + first);
            Fields f = new Fields();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "meter" -> f.meter = meter(p, t);
                    case "seq" -> f.seq = seq(p, t);
                    case "ts" -> f.ts = ts(p, t);
                    case "volume_m3" -> f.volumeL = volume(p, t);
                    case "balance_m3" -> f.balanceM3 = balance(p, t, "balance_m3", 3);
                    case "balance_cny" -> f.balanceCny = balance(p, t, "balance_cny", 2);
                    case "valve" -> f.valve = valve(p, t);
                    case "alarms" -> alarms(p, t, f);
                    case "battery_v" -> f.batteryV = battery(p, t);
                    case "history" -> history(p, t, f);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) throw new UplinkRejected(RejectReason.BAD_JSON, "content after the object");
            if (f.meter == null) throw new UplinkRejected(RejectReason.MISSING_METER, "no meter");
            if (f.ts == null) throw new UplinkRejected(RejectReason.MISSING_TS, "no ts");
            if (f.volumeL < 0) throw new UplinkRejected(RejectReason.MISSING_VOLUME, "no volume_m3");
            return new Uplink(f.meter, f.seq, f.ts, f.volumeL, f.balanceM3, f.balanceCny, f.valve, f.alarms,
                    f.batteryV, f.unknownAlarms, f.history, f.badHistory);
        } catch (IOException e) {
            // Jackson's message names the offending character and position; keep only the first line.
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            throw new UplinkRejected(RejectReason.BAD_JSON, nl < 0 ? m : m.substring(0, nl));
        }
    }

    private static final class Fields {
        String meter;
        long seq = -1;
        Instant ts;
        long volumeL = -1;
        BigDecimal balanceM3;
        BigDecimal balanceCny;
        Valve valve;
        Set<AlarmKind> alarms = Set.of();
        BigDecimal batteryV;
        int unknownAlarms;
        List<Uplink.Frozen> history = List.of();
        List<UplinkRejected> badHistory = List.of();
    }

    /**
     * {@code history}: up to {@link #MAX_HISTORY} objects {@code {"ts":…,"volume_m3":…}}. Not an array
     * refuses the message (a wrong type, as for every field); a bad entry, or one beyond the limit, is
     * refused on its own with its reason and the rest of the message stands: the other readings are good.
     */
    private void history(JsonParser p, JsonToken t, Fields f) throws IOException, UplinkRejected {
        if (t != JsonToken.START_ARRAY) throw wrongType("history", "an array", t, p);
        List<Uplink.Frozen> entries = new ArrayList<>();
        List<UplinkRejected> bad = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            try {
                if (e != JsonToken.START_OBJECT) throw wrongType("history[]", "objects", e, p);
                Instant ts = null;
                long volumeL = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (name) {
                        case "ts" -> ts = ts(p, v);
                        case "volume_m3" -> volumeL = volume(p, v);
                        default -> p.skipChildren();
                    }
                }
                if (ts == null) throw new UplinkRejected(RejectReason.MISSING_TS, "history entry without ts");
                if (volumeL < 0) throw new UplinkRejected(RejectReason.MISSING_VOLUME, "history entry without volume_m3");
                if (entries.size() >= MAX_HISTORY) {
                    throw new UplinkRejected(RejectReason.ABSURD_VALUE, "history beyond " + MAX_HISTORY + " entries");
                }
                entries.add(new Uplink.Frozen(ts, volumeL));
            } catch (UplinkRejected r) {
                // Skip the rest of this entry (we may be inside it) and go on with the next one.
                if (p.getParsingContext().inObject()) {
                    while (p.nextToken() != JsonToken.END_OBJECT) p.skipChildren();
                }
                bad.add(r);
            }
        }
        f.history = entries;
        f.badHistory = bad;
    }

    /** A meter number: 1 to 20 ASCII digits. */
    public static boolean isMeterNumber(String s) {
        int n = s.length();
        if (n < 1 || n > 20) return false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static String meter(JsonParser p, JsonToken t) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_STRING) throw wrongType("meter", "a string", t, p);
        String s = p.getText();
        if (!isMeterNumber(s)) throw new UplinkRejected(RejectReason.BAD_VALUE, "meter must be 1 to 20 digits");
        return s;
    }

    private static long seq(JsonParser p, JsonToken t) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_NUMBER_INT) throw wrongType("seq", "an integer", t, p);
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new UplinkRejected(RejectReason.ABSURD_VALUE, "seq beyond 64 bits");
        }
        long v = p.getLongValue();
        if (v < 0) throw new UplinkRejected(RejectReason.ABSURD_VALUE, "negative seq");
        return v;
    }

    private static Instant ts(JsonParser p, JsonToken t) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_STRING) throw wrongType("ts", "a string", t, p);
        String text = p.getText();
        Instant fast = fastTs(text);
        if (fast != null) return fast;
        try {
            // The contract's form carries an offset; a local time without one would be a guess.
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new UplinkRejected(RejectReason.BAD_VALUE, "ts is not an ISO-8601 time with offset");
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss} followed by {@code Z} or {@code ±HH:mm}, the form meters send, without
     * the general ISO parser (a third of the gateway's cost per message). Anything else returns null
     * and goes through {@link OffsetDateTime#parse}, which also produces the error.
     */
    static Instant fastTs(String s) {
        int n = s.length();
        if ((n != 20 && n != 25) || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
        int offsetSeconds;
        if (n == 20) {
            if (s.charAt(19) != 'Z') return null;
            offsetSeconds = 0;
        } else {
            char sign = s.charAt(19);
            int oh = digits(s, 20, 2), om = digits(s, 23, 2);
            if ((sign != '+' && sign != '-') || s.charAt(22) != ':' || oh < 0 || om < 0 || oh > 18 || om > 59) return null;
            offsetSeconds = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second)
                    .toInstant(java.time.ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (java.time.DateTimeException e) {
            return null; // e.g. February 30th: let the general parser say so
        }
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private long volume(JsonParser p, JsonToken t) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_STRING) throw wrongType("volume_m3", "a decimal string", t, p);
        String s = p.getText();
        BigDecimal v = decimal(s, "volume_m3", 3, false);
        if (v.compareTo(BigDecimal.valueOf(settings.maxVolumeL(), 3)) > 0) {
            throw new UplinkRejected(RejectReason.ABSURD_VALUE, "volume_m3 above the configured maximum");
        }
        return v.movePointRight(3).longValueExact();
    }

    private BigDecimal balance(JsonParser p, JsonToken t, String field, int decimals) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_STRING) throw wrongType(field, "a decimal string", t, p);
        BigDecimal v = decimal(p.getText(), field, decimals, true);
        if (v.abs().compareTo(settings.maxAbsBalance()) > 0) {
            throw new UplinkRejected(RejectReason.ABSURD_VALUE, field + " beyond the configured maximum");
        }
        return v;
    }

    private static Valve valve(JsonParser p, JsonToken t) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_STRING) throw wrongType("valve", "a string", t, p);
        return switch (p.getText()) {
            case "open" -> Valve.OPEN;
            case "closed" -> Valve.CLOSED;
            default -> throw new UplinkRejected(RejectReason.BAD_VALUE, "valve must be open or closed");
        };
    }

    private static void alarms(JsonParser p, JsonToken t, Fields f) throws IOException, UplinkRejected {
        if (t != JsonToken.START_ARRAY) throw wrongType("alarms", "an array", t, p);
        EnumSet<AlarmKind> set = EnumSet.noneOf(AlarmKind.class);
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_STRING) throw wrongType("alarms[]", "strings", e, p);
            var k = AlarmKind.fromWire(p.getText());
            if (k.isPresent()) set.add(k.get());
            else f.unknownAlarms++;
        }
        f.alarms = set;
    }

    private static BigDecimal battery(JsonParser p, JsonToken t) throws IOException, UplinkRejected {
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) throw wrongType("battery_v", "a number", t, p);
        BigDecimal v = p.getDecimalValue();
        if (v.signum() < 0 || v.compareTo(MAX_BATTERY_V) > 0) {
            throw new UplinkRejected(RejectReason.ABSURD_VALUE, "battery_v outside 0..10");
        }
        return v;
    }

    /** A plain decimal: optional minus sign (when allowed), at most 12 integer digits, at most {@code decimals}. */
    static BigDecimal decimal(String s, String field, int decimals, boolean signed) throws UplinkRejected {
        int n = s.length();
        int i = 0;
        if (signed && n > 0 && s.charAt(0) == '-') i = 1;
        int intDigits = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                fracDigits++;
            }
            if (fracDigits == 0) i = -1;
        }
        if (i != n || intDigits == 0) throw new UplinkRejected(RejectReason.BAD_VALUE, field + " is not a plain decimal");
        if (intDigits > 12) throw new UplinkRejected(RejectReason.ABSURD_VALUE, field + " has too many digits");
        if (fracDigits > decimals) {
            throw new UplinkRejected(RejectReason.BAD_VALUE, field + " has more than " + decimals + " decimals");
        }
        return new BigDecimal(s);
    }

    private static UplinkRejected wrongType(String field, String expected, JsonToken t, JsonParser p) throws IOException {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) p.skipChildren();
        return new UplinkRejected(RejectReason.WRONG_TYPE, field + " must be " + expected + ", got " + describe(t));
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> t.toString();
        };
    }
}
