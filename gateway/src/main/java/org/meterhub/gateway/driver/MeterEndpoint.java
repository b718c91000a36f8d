package org.meterhub.gateway.driver;

import java.util.Objects;
import org.meterhub.engine.meter.Medium;

/**
 * A meter as a driver addresses it on its bus. The address is protocol-specific text
 * (14 BCD digits for CJ/T 188, a unit id for Modbus) that the driver parses once when it
 * opens its session; the scheduler treats it as opaque.
 *
 * @param options protocol options, typed by the driver that owns them
 */
public record MeterEndpoint(String meterId, String address, Medium medium, DriverOptions options) {
    public MeterEndpoint {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(medium, "medium");
        Objects.requireNonNull(options, "options");
    }
}
