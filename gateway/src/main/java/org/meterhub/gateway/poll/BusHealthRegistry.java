package org.meterhub.gateway.poll;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.meterhub.gateway.metrics.GatewayMetrics;

/**
 * The health of every bus of one gateway (DTU dial-ins, serial lines, Modbus TCP peers, the MQTT uplink), by kind
 * and name, in the order the buses were added. Buses come from the gateway's file, so the set is bounded by it: a
 * DTU that dials in with an id the file does not name is refused before it gets a bus. Shown in /metrics as counts
 * per bus kind once the gateway hands it to {@link GatewayMetrics#watch(BusHealthRegistry)}, per bus only in the
 * gateway's status report.
 */
public final class BusHealthRegistry {
    private final Clock clock;
    private final Duration window;
    private final Map<String, BusHealth> buses = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());

    public BusHealthRegistry(Clock clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    /** The bus of this kind and name, added the first time it is asked for. */
    public BusHealth bus(String kind, String name) {
        return buses.computeIfAbsent(kind + "\u0000" + name, k -> new BusHealth(kind, name, clock, window));
    }

    public List<BusHealth.Snapshot> snapshots() {
        List<BusHealth> all;
        synchronized (buses) {
            all = new ArrayList<>(buses.values());
        }
        List<BusHealth.Snapshot> out = new ArrayList<>(all.size());
        for (BusHealth b : all) out.add(b.snapshot());
        return out;
    }
}
