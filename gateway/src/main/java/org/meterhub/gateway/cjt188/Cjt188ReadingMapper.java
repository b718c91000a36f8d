package org.meterhub.gateway.cjt188;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumSet;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.gateway.driver.ReadFailure;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterStatus;
import org.meterhub.protocol.cjt188.MonthlyHistory;

/**
 * Turns a 901F reply into a {@link Reading}. CJ/T 188 meter clocks carry local time without a
 * zone, so the utility's zone is needed; a clock that is invalid or too far from the gateway's is
 * not trusted for the reading time (receive time is used) and the reading is flagged.
 */
public final class Cjt188ReadingMapper {
    private final ZoneId zone;
    private final Clock clock;
    private final Duration maxSkew;

    public Cjt188ReadingMapper(ZoneId zone, Clock clock, Duration maxSkew) {
        this.zone = zone;
        this.clock = clock;
        this.maxSkew = maxSkew;
    }

    /** The utility's zone, in which meter clocks and settlement days are read. */
    public ZoneId zone() {
        return zone;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * A D120 reply as the reading at the settlement instant {@code at}: the register is the meter's own
     * record of that moment, so its time is {@code at}, whenever it was read. No meter clock or status comes
     * with it.
     */
    public Reading toSettlementReading(String meterId, Instant at, MonthlyHistory history) {
        long litres;
        try {
            litres = history.cumulative().toLitres();
        } catch (ArithmeticException e) {
            throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "settlement register is not a volume in whole litres: "
                    + history.cumulative());
        }
        return new Reading(meterId, at, clock.instant(), litres, ReadingSource.CJT188,
                EnumSet.of(ReadingFlag.SETTLEMENT), 0, null);
    }

    public Reading toReading(String meterId, GasWaterCurrentData data) {
        Instant received = clock.instant();
        EnumSet<ReadingFlag> flags = EnumSet.noneOf(ReadingFlag.class);
        Instant time = received;
        Instant meterTime = null;
        if (data.clock().value() == null) {
            flags.add(ReadingFlag.CLOCK_INVALID);
        } else {
            meterTime = data.clock().value().atZone(zone).toInstant();
            if (Duration.between(meterTime, received).abs().compareTo(maxSkew) > 0) {
                flags.add(ReadingFlag.CLOCK_SKEW);
            } else {
                time = meterTime;
            }
        }
        MeterStatus status = data.status();
        if (status.valveClosed()) flags.add(ReadingFlag.VALVE_CLOSED);
        if (status.valveFault()) flags.add(ReadingFlag.VALVE_FAULT);
        if (status.lowBattery()) flags.add(ReadingFlag.LOW_BATTERY);
        long litres;
        try {
            litres = data.current().toLitres();
        } catch (ArithmeticException e) {
            throw new ReadFailure(ReadFailure.Kind.BAD_REPLY, "register is not a volume in whole litres: " + data.current());
        }
        return new Reading(meterId, time, received, litres, ReadingSource.CJT188, flags, status.bits(), meterTime);
    }
}
