package org.meterhub.simulators.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * One IC-card prepaid gas meter speaking the MQTT contract (protocols.md section 3).
 *
 * <p>Gas flows by the household's {@link UsageProfile} while the valve is open. Credit is
 * deducted as it flows; at zero the meter closes its valve (unless its valve is faulty, when it
 * overdraws). Commands are executed once per id: a repeated id gets the first answer again and has
 * no second effect. Volumes are kept in millilitres so that minute-by-minute flow adds up exactly.
 * Thread-safe: publishing and command threads share it.
 */
public final class IcCardMeter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TS = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final int REMEMBERED_COMMANDS = 64;
    private static final BigDecimal LOW_BATTERY_V = new BigDecimal("3.40");

    private final String id;
    private final UsageProfile profile;
    private final EnumSet<MqttFault> faults;
    private final ZoneId zone;
    private final long lowBalanceMl;
    private final BigDecimal batteryV;
    private long registerMl;
    private long balanceMl;
    private boolean valveOpen = true;
    private long seq;
    private Instant advancedTo;
    /** Gas that actually flowed during the simulation: the ground truth. */
    private long deliveredMl;
    private byte[] heldBack;
    /** Null: reports as it measures. Else an NB-IoT meter that freezes its register hourly and uploads once a day. */
    private BatchKind batch;
    private int uploads;
    /** Frozen hourly registers not yet uploaded: epoch millis, litres (at most {@link #MAX_HISTORY}). */
    private final java.util.ArrayDeque<long[]> frozen = new java.util.ArrayDeque<>();
    /** Every hourly register frozen since batch mode began: epoch millis, litres (the hourly ground truth). */
    private final List<long[]> hourly = new ArrayList<>();
    private final Map<String, String> executed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_COMMANDS;
        }
    };

    public IcCardMeter(String id, long registerL, long balanceL, UsageProfile profile, Set<MqttFault> faults,
                       ZoneId zone, Instant start, long lowBalanceL, BigDecimal batteryV) {
        this.id = id;
        this.profile = profile;
        this.faults = faults.isEmpty() ? EnumSet.noneOf(MqttFault.class) : EnumSet.copyOf(faults);
        this.zone = zone;
        this.registerMl = registerL * 1000;
        this.balanceMl = balanceL * 1000;
        this.advancedTo = start;
        this.lowBalanceMl = lowBalanceL * 1000;
        this.batteryV = batteryV;
    }

    public String id() {
        return id;
    }

    /** How a daily-batch meter misbehaves (protocols.md §3: delayed and batched uplinks). */
    public enum BatchKind {
        /** Uploads the day's 24 hourly readings once a day. */
        ON_TIME,
        /** Misses every other day's upload: the next day's message carries 48 readings, a day late. */
        DAY_LATE,
        /** Its clock is 40 days behind (beyond max-backfill): the gateway must notice and keep the spacing. */
        WRONG_CLOCK
    }

    /** The contract's bound on {@code history} entries per message. */
    public static final int MAX_HISTORY = 96;
    static final java.time.Duration WRONG_CLOCK_OFFSET = java.time.Duration.ofDays(40);

    /** From now on the meter freezes its register every hour and {@link #report} uploads them once a day. */
    public synchronized void batchDaily(BatchKind kind) {
        this.batch = kind;
    }

    public synchronized BatchKind batchKind() {
        return batch;
    }

    /** The hourly registers frozen so far (epoch millis, litres): consecutive differences are the hourly truth. */
    public synchronized List<long[]> hourlyRegisters() {
        return List.copyOf(hourly);
    }

    public Set<MqttFault> faults() {
        return EnumSet.copyOf(faults);
    }

    /** Lets gas flow up to {@code t}. Time never runs backwards for a meter. */
    public synchronized void advanceTo(Instant t) {
        while (advancedTo.isBefore(t)) {
            LocalDateTime local = LocalDateTime.ofInstant(advancedTo, zone);
            Instant hourEnd = local.truncatedTo(ChronoUnit.HOURS).plusHours(1).atZone(zone).toInstant();
            Instant until = hourEnd.isBefore(t) ? hourEnd : t;
            long seconds = ChronoUnit.SECONDS.between(advancedTo, until);
            if (seconds <= 0) {
                advancedTo = until;
                continue;
            }
            if (valveOpen) flow(profile.expectedMilliLitresPerMinute(local) * seconds / 60);
            advancedTo = until;
            if (batch != null && until.equals(hourEnd)) freeze(hourEnd);
        }
    }

    private void freeze(Instant hour) {
        long[] r = {hour.toEpochMilli(), registerMl / 1000};
        hourly.add(r);
        frozen.addLast(r);
        if (frozen.size() > MAX_HISTORY) frozen.removeFirst(); // the meter's memory is full: the oldest is lost
    }

    private void flow(long wantMl) {
        long use = wantMl;
        if (!faults.contains(MqttFault.VALVE_FAULT) && use >= balanceMl) {
            use = Math.max(0, balanceMl);
            valveOpen = false;
        }
        balanceMl -= use;
        deliveredMl += use;
        if (!faults.contains(MqttFault.STUCK_REGISTER)) registerMl += use;
    }

    /**
     * The messages to publish for a report at {@code now} (after {@link #advanceTo}): usually one,
     * none for a silent meter, two with a duplicate, a held-back one with reordering.
     */
    public synchronized List<byte[]> report(Instant now) {
        advanceTo(now);
        if (faults.contains(MqttFault.SILENT)) return List.of();
        if (batch != null) return upload(now);
        seq++;
        byte[] msg = faults.contains(MqttFault.MALFORMED) && seq % 5 == 0
                ? ("{\"meter\":\"" + id + "\",\"seq\":" + seq + ",\"ts\":").getBytes(StandardCharsets.UTF_8)
                : json(now).getBytes(StandardCharsets.UTF_8);
        List<byte[]> out = new ArrayList<>(3);
        if (faults.contains(MqttFault.REORDER) && seq % 4 == 0 && heldBack == null) {
            heldBack = msg;
            return out;
        }
        out.add(msg);
        if (heldBack != null) {
            out.add(heldBack);
            heldBack = null;
        }
        if (faults.contains(MqttFault.DUPLICATE) && seq % 3 == 0) out.add(msg);
        return out;
    }

    /** The daily upload: the register now and every frozen hourly register since the last upload. */
    private List<byte[]> upload(Instant now) {
        uploads++;
        if (batch == BatchKind.DAY_LATE && uploads % 2 == 0) return List.of(); // out of coverage today
        seq++;
        String msg = json(now);
        StringBuilder h = new StringBuilder(64 * frozen.size() + msg.length());
        h.append(msg, 0, msg.length() - 1).append(",\"history\":[");
        boolean first = true;
        for (long[] f : frozen) {
            if (!first) h.append(',');
            first = false;
            h.append("{\"ts\":\"").append(ts(Instant.ofEpochMilli(f[0]))).append("\",\"volume_m3\":\"")
                    .append(BigDecimal.valueOf(f[1], 3).toPlainString()).append("\"}");
        }
        frozen.clear();
        return List.of(h.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The meter's clock reading of true time {@code t}, as it writes it. */
    private String ts(Instant t) {
        Instant ts = faults.contains(MqttFault.CLOCK_SKEW) ? t.plus(2, ChronoUnit.HOURS)
                : batch == BatchKind.WRONG_CLOCK ? t.minus(WRONG_CLOCK_OFFSET) : t;
        return TS.format(ts.truncatedTo(ChronoUnit.SECONDS).atOffset(zone.getRules().getOffset(ts)));
    }

    private String json(Instant now) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"meter\":\"").append(id).append("\",\"seq\":").append(seq)
                .append(",\"ts\":\"").append(ts(now))
                .append("\",\"volume_m3\":\"").append(BigDecimal.valueOf(registerMl / 1000, 3).toPlainString())
                .append("\",\"balance_m3\":\"").append(BigDecimal.valueOf(balanceMl / 1000, 3).toPlainString())
                .append("\",\"valve\":\"").append(valveOpen ? "open" : "closed").append("\",\"alarms\":[");
        int n = 0;
        if (balanceMl < lowBalanceMl) n = alarm(b, n, "low_balance");
        if (balanceMl < 0) n = alarm(b, n, "overdraft");
        if (faults.contains(MqttFault.VALVE_FAULT)) n = alarm(b, n, "valve_fault");
        if (faults.contains(MqttFault.LEAK)) n = alarm(b, n, "leak");
        if (batteryV.compareTo(LOW_BATTERY_V) < 0) alarm(b, n, "low_battery");
        return b.append("],\"battery_v\":").append(batteryV.toPlainString()).append('}').toString();
    }

    private static int alarm(StringBuilder b, int n, String name) {
        if (n > 0) b.append(',');
        b.append('"').append(name).append('"');
        return n + 1;
    }

    /**
     * Executes a command from {@code meters/{id}/down} and returns the ack JSON, or null for a
     * silent meter or a message that carries no usable id (nothing to acknowledge to).
     */
    public synchronized String onCommand(byte[] payload) {
        if (faults.contains(MqttFault.SILENT)) return null;
        JsonNode n;
        try {
            n = JSON.readTree(payload);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !n.path("id").isTextual()) return null;
        String cmdId = n.get("id").asText();
        String previous = executed.get(cmdId);
        if (previous != null) return previous;
        String error = execute(n);
        String ack = error == null
                ? "{\"id\":\"" + escape(cmdId) + "\",\"ok\":true}"
                : "{\"id\":\"" + escape(cmdId) + "\",\"ok\":false,\"error\":\"" + error + "\"}";
        executed.put(cmdId, ack);
        return ack;
    }

    private String execute(JsonNode n) {
        switch (n.path("cmd").asText("")) {
            case "valve_close" -> {
                if (faults.contains(MqttFault.VALVE_FAULT)) return "valve stuck open";
                valveOpen = false;
                return null;
            }
            case "valve_open" -> {
                if (balanceMl <= 0) return "no credit";
                valveOpen = true;
                return null;
            }
            case "credit" -> {
                if (!n.path("amount_m3").isTextual()) return "credit needs amount_m3";
                BigDecimal m3;
                try {
                    m3 = new BigDecimal(n.get("amount_m3").asText());
                } catch (NumberFormatException e) {
                    return "bad amount_m3";
                }
                if (m3.signum() <= 0 || m3.scale() > 3) return "bad amount_m3";
                boolean wasEmpty = balanceMl <= 0;
                balanceMl += m3.movePointRight(6).longValueExact();
                // Like most IC-card meters: credit after a credit stop reopens the valve.
                if (wasEmpty && balanceMl > 0) valveOpen = true;
                return null;
            }
            default -> {
                return "unknown command";
            }
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    public synchronized long registerL() {
        return registerMl / 1000;
    }

    public synchronized long balanceL() {
        return balanceMl / 1000;
    }

    public synchronized boolean valveOpen() {
        return valveOpen;
    }

    public synchronized long deliveredL() {
        return deliveredMl / 1000;
    }

    public synchronized long seq() {
        return seq;
    }
}
