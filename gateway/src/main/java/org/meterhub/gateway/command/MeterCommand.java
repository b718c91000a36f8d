package org.meterhub.gateway.command;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;
import org.meterhub.engine.prepaid.BalanceUnit;
import org.meterhub.gateway.mqtt.UplinkParser;

/**
 * A command for one meter. The id is chosen by whoever issues the command (so that a retry by an
 * operator or an upstream system is the same command, not a second one).
 *
 * @param amount credit amount; only with {@link CommandType#CREDIT}, else null
 * @param unit   M3 or CNY; only with credit
 * @param deadline after this, the command is no longer resent and expires with an alarm
 */
public record MeterCommand(String id, String meterId, CommandType type, BigDecimal amount, BalanceUnit unit,
                           Instant createdAt, Instant deadline) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    public MeterCommand {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(deadline, "deadline");
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("command id must be 1-64 of A-Z a-z 0-9 _ . : -");
        if (!UplinkParser.isMeterNumber(meterId)) throw new IllegalArgumentException("meter must be 1 to 20 digits");
        if (type == CommandType.CREDIT) {
            if (amount == null || unit == null) throw new IllegalArgumentException("credit needs an amount and a unit");
            if (amount.signum() <= 0) throw new IllegalArgumentException("credit amount must be positive");
            if (amount.scale() > unit.decimals()) {
                throw new IllegalArgumentException("credit amount has more than " + unit.decimals() + " decimals");
            }
        } else if (amount != null || unit != null) {
            throw new IllegalArgumentException(type.wire() + " takes no amount");
        }
        if (!deadline.isAfter(createdAt)) throw new IllegalArgumentException("deadline must be after creation");
    }

    /** The downlink JSON exactly as protocols.md section 3 gives it. */
    public String toJson() {
        StringBuilder b = new StringBuilder(80).append("{\"id\":\"").append(id).append("\",\"cmd\":\"").append(type.wire()).append('"');
        if (type == CommandType.CREDIT) {
            String field = unit == BalanceUnit.M3 ? "amount_m3" : "amount_cny";
            b.append(",\"").append(field).append("\":\"").append(amount.setScale(unit.decimals()).toPlainString()).append('"');
        }
        return b.append('}').toString();
    }

    /** Same command (everything but the times): a resubmission with the same id. */
    public boolean sameAs(MeterCommand o) {
        return id.equals(o.id) && meterId.equals(o.meterId) && type == o.type && unit == o.unit
                && (amount == null ? o.amount == null : o.amount != null && amount.compareTo(o.amount) == 0);
    }
}
