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
