package org.meterhub.simulators.fleet;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.simulators.cjt188.SimulatedCjt188Meter;
import org.meterhub.simulators.dtu.SimulatedDtu;
import org.meterhub.simulators.dtu.WireModel;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * A district of simulated CJ/T 188 gas meters spread over simulated DTUs: what the demo, the
 * end-to-end tests and the benchmarks dial into a gateway. Reproducible from its seed.
 */
public final class Cjt188Fleet {
    private final List<SimulatedDtu> dtus;

    private Cjt188Fleet(List<SimulatedDtu> dtus) {
        this.dtus = dtus;
    }

    /**
     * @param meters number of meters, dealt round-robin over {@code dtuCount} DTUs
     */
    public static Cjt188Fleet create(int meters, int dtuCount, Clock clock, ZoneId zone, WireModel wire,
                                     Duration heartbeatEvery, long seed) {
        if (meters < 1 || dtuCount < 1) throw new IllegalArgumentException("need at least one meter and one DTU");
        Random random = new Random(seed);
        List<List<SimulatedCjt188Meter>> perDtu = new ArrayList<>();
        for (int d = 0; d < dtuCount; d++) perDtu.add(new ArrayList<>());
        for (int i = 0; i < meters; i++) {
            MeterAddress address = MeterAddress.of(String.format("30%012d", i + 1));
            long initial = 10L * random.nextInt(500_000); // 0 .. 5000 m³ already on the register
            boolean boiler = random.nextInt(5) == 0;
            long daily = 400 + random.nextInt(1200);      // 0.4 .. 1.6 m³ a day for cooking and hot water
            perDtu.get(i % dtuCount).add(SimulatedCjt188Meter.gas(address, initial, clock, zone,
                    new UsageProfile(daily, boiler), random.nextLong()));
        }
        List<SimulatedDtu> dtus = new ArrayList<>();
        for (int d = 0; d < dtuCount; d++) {
            dtus.add(new SimulatedDtu(dtuId(d), perDtu.get(d), wire, heartbeatEvery, random.nextLong()));
        }
        return new Cjt188Fleet(dtus);
    }

    public static String dtuId(int index) {
        return String.format("DTU-%04d", index + 1);
    }

    public List<SimulatedDtu> dtus() {
        return dtus;
    }

    public List<SimulatedCjt188Meter> meters() {
        List<SimulatedCjt188Meter> all = new ArrayList<>();
        for (SimulatedDtu d : dtus) all.addAll(d.meters());
        all.sort((a, b) -> a.address().digits().compareTo(b.address().digits()));
        return all;
    }

    public List<ChannelFuture> connectAll(EventLoopGroup group, InetSocketAddress gateway) {
        List<ChannelFuture> futures = new ArrayList<>();
        for (SimulatedDtu d : dtus) futures.add(d.connect(group, gateway));
        return futures;
    }

    public void disconnectAll() {
        dtus.forEach(SimulatedDtu::disconnect);
    }

    /** Ground truth as CSV: what each meter registered during the run. */
    public void writeTruth(Writer out) throws IOException {
        out.write("meter,dtu,initial_register_l,final_register_l,delivered_l\n");
        for (SimulatedDtu d : dtus) {
            for (SimulatedCjt188Meter m : d.meters()) {
                out.write(m.address().digits() + "," + d.id() + "," + m.initialRegisterL() + ","
                        + m.registerL() + "," + m.deliveredLitres() + "\n");
            }
        }
    }
}
