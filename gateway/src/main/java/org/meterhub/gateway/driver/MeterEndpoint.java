package org.meterhub.gateway.driver;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Objects;
import org.meterhub.engine.meter.Medium;

/**
 * A meter as a driver addresses it on its bus. The address is protocol-specific text
 * (14 BCD digits for CJ/T 188, a unit id for Modbus) that the driver parses once when it
 * opens its session; the scheduler treats it as opaque.
 *
 * @param options       protocol options, typed by the driver that owns them
 * @param readInterval  this meter's read interval; null for the bus's ({@code PollSettings.interval})
 * @param settlementDay the day of month (1..28) at whose start the meter stores its settlement register,
 *                      read once a month; 0 for none. 28 at most so that every month has the day
 */
public record MeterEndpoint(String meterId, String address, Medium medium, DriverOptions options,
                            Duration readInterval, int settlementDay) {
    public MeterEndpoint {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(options, "options");
        if (readInterval != null && (readInterval.isZero() || readInterval.isNegative())) {
            throw new IllegalArgumentException("read interval of meter " + meterId + " must be positive, got " + readInterval);
        }
        if (settlementDay != 0 && (settlementDay < 1 || settlementDay > 28)) {
            throw new IllegalArgumentException("settlement day of meter " + meterId + " must be 1..28, got " + settlementDay);
        }
    }

    /** Polled at the bus's interval, no settlement reads. */
    public MeterEndpoint(String meterId, String address, Medium medium, DriverOptions options) {
        this(meterId, address, medium, options, null, 0);
    }

    public MeterEndpoint withReadInterval(Duration interval) {
        return new MeterEndpoint(meterId, address, medium, options, interval, settlementDay);
    }

    public MeterEndpoint withSettlementDay(int day) {
        return new MeterEndpoint(meterId, address, medium, options, readInterval, day);
    }

    public boolean hasSettlementDay() {
        return settlementDay != 0;
    }

    /** The start of the settlement day in {@code month} in the utility's zone: the time of that month's settlement reading. */
    public Instant settlementInstant(YearMonth month, ZoneId zone) {
        if (settlementDay == 0) throw new IllegalStateException("meter " + meterId + " has no settlement day");
        return month.atDay(settlementDay).atStartOfDay(zone).toInstant();
    }
}
