package org.meterhub.gateway.bus;

import java.util.List;
import java.util.Objects;
import org.meterhub.gateway.driver.MeterEndpoint;

/** One bus of meters: for a DTU, its id; for a serial line, the port. */
public record BusConfig(String busId, BusProtocol protocol, List<MeterEndpoint> meters) {
    public BusConfig {
        Objects.requireNonNull(busId, "busId");
        Objects.requireNonNull(protocol, "protocol");
        meters = List.copyOf(meters);
    }
}
