package org.meterhub.gateway.bus;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.meterhub.gateway.driver.MeterEndpoint;

/**
 * One bus of meters: for a DTU, its id; for a serial line, the port.
 *
 * @param proofs for a DTU, what it may send after its id to prove who it is (a secret, its SIM's
 *               ICCID, its IMEI: protocols.md §2); empty when none is configured
 */
public record BusConfig(String busId, BusProtocol protocol, List<MeterEndpoint> meters, Set<String> proofs) {
    public BusConfig {
        Objects.requireNonNull(busId, "busId");
        Objects.requireNonNull(protocol, "protocol");
        meters = List.copyOf(meters);
        proofs = proofs == null ? Set.of() : Set.copyOf(proofs);
    }

    /** A bus whose DTU (if any) has no proof configured. */
    public BusConfig(String busId, BusProtocol protocol, List<MeterEndpoint> meters) {
        this(busId, protocol, meters, Set.of());
    }
}
