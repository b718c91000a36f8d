package org.meterhub.simulators.mqtt;

import org.meterhub.protocol.mqtt.NoDelaySocketFactory;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.meterhub.simulators.usage.UsageProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 1 to 100,000 IC-card meters talking to a real broker through a few Paho clients: meter
 * {@code i} publishes and listens through client {@code i % clients}, so a large fleet costs a
 * handful of TCP connections, not one per meter. Each client subscribes to {@code <prefix>/+/down}
 * and executes only its own meters' commands.
 *
 * <p>Reports run on one thread in simulated time ({@link #start}): each meter reports every report
 * interval, meters spread evenly over the interval. {@link #reportAll} makes every meter report at
 * once (tests, benchmarks).
 */
public final class IcCardFleet implements AutoCloseable {
    private static final long PATIENCE_MS = TimeUnit.MINUTES.toMillis(5);

    private static final Logger log = LoggerFactory.getLogger(IcCardFleet.class);

    private final IcFleetSettings settings;
    private final List<IcCardMeter> meters;
    private final Map<String, Integer> indexOf;
    private final Clock clock;
    private final MqttAsyncClient[] clients;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishWaits = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private volatile boolean running;
    private Thread reporter;

    private volatile javax.net.SocketFactory socketFactory;

    private IcCardFleet(IcFleetSettings settings, List<IcCardMeter> meters, Clock clock) {
        this.settings = settings;
        this.meters = meters;
        this.clock = clock;
        this.indexOf = new HashMap<>(meters.size() * 2);
        for (int i = 0; i < meters.size(); i++) indexOf.put(meters.get(i).id(), i);
        this.clients = new MqttAsyncClient[settings.clients()];
    }

    /** A fleet where {@code faultPermille} of the meters get one fault each, chosen by the seed. */
    public static IcCardFleet create(int count, IcFleetSettings s, Clock clock, ZoneId zone, long seed) {
        Random pick = new Random(seed ^ 0x5DEECE66DL);
        MqttFault[] kinds = MqttFault.values();
        Set<MqttFault>[] chosen = faultTable(count);
        for (int i = 0; i < count; i++) {
            if (pick.nextInt(1000) < s.faultPermille()) chosen[i] = EnumSet.of(kinds[pick.nextInt(kinds.length)]);
        }
        return create(count, s, clock, zone, seed, i -> chosen[i]);
    }

    /** A fleet whose meter {@code i} has the faults {@code faultsOf.apply(i)}. */
    public static IcCardFleet create(int count, IcFleetSettings s, Clock clock, ZoneId zone, long seed,
                                     IntFunction<Set<MqttFault>> faultsOf) {
        if (count < 1 || count > 100_000) throw new IllegalArgumentException("meters must be 1..100000, was " + count);
        Random rnd = new Random(seed);
        Instant start = clock.instant();
        List<IcCardMeter> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // Households differ: 0.4 to 1.6 m³ a day outside winter, one in three heats with a gas boiler.
            UsageProfile profile = new UsageProfile(400 + rnd.nextInt(1200), rnd.nextInt(3) == 0);
            long register = 1_000L * rnd.nextInt(5_000) + rnd.nextInt(1000);
            BigDecimal battery = BigDecimal.valueOf(330 + rnd.nextInt(36), 2);
            list.add(new IcCardMeter(String.valueOf(s.meterBase() + i), register, s.initialBalanceL(), profile,
                    faultsOf.apply(i), zone, start, s.lowBalanceL(), battery));
        }
        return new IcCardFleet(s, Collections.unmodifiableList(list), clock);
    }

    @SuppressWarnings("unchecked")
    private static Set<MqttFault>[] faultTable(int n) {
        Set<MqttFault>[] t = new Set[n];
        java.util.Arrays.fill(t, Set.of());
        return t;
    }

    /**
     * Turns every meter into an NB-IoT daily-batch meter ({@link IcCardMeter#batchDaily}): of each five, three upload
     * on time, one a day late every other day, one with a clock 40 days behind. Call before the first report; set
     * the report interval to a day for one upload per meter per day.
     */
    public void batchDaily() {
        IcCardMeter.BatchKind[] mix = {IcCardMeter.BatchKind.ON_TIME, IcCardMeter.BatchKind.ON_TIME,
            IcCardMeter.BatchKind.ON_TIME, IcCardMeter.BatchKind.DAY_LATE, IcCardMeter.BatchKind.WRONG_CLOCK};
        for (int i = 0; i < meters.size(); i++) meters.get(i).batchDaily(mix[i % mix.length]);
    }

    /**
     * meter,kind,hour_start,litres — the gas each daily-batch meter registered in each whole hour (its frozen
     * registers' differences), the truth the store's hourly consumption must match to the litre.
     */
    public void writeHourlyTruth(Writer w) throws IOException {
        w.write("meter,kind,hour_start,litres\n");
        for (IcCardMeter m : meters) {
            if (m.batchKind() == null) continue;
            List<long[]> h = m.hourlyRegisters();
            for (int i = 1; i < h.size(); i++) {
                w.write(m.id() + "," + m.batchKind() + "," + Instant.ofEpochMilli(h.get(i - 1)[0]) + ","
                        + (h.get(i)[1] - h.get(i - 1)[1]) + "\n");
            }
        }
    }

    public List<IcCardMeter> meters() {
        return meters;
    }

    public IcCardMeter meter(String id) {
        Integer i = indexOf.get(id);
        return i == null ? null : meters.get(i);
    }

    /**
     * TLS for an {@code ssl://} broker (a CA and, where the broker requires one, a client certificate), set before
     * {@link #connect()}; without it an {@code ssl://} broker is reached with the JVM's default trust.
     */
    public IcCardFleet useSocketFactory(javax.net.SocketFactory factory) {
        this.socketFactory = factory;
        return this;
    }

    /** Connects every client and subscribes it to the command topic. */
    public void connect() throws MqttException {
        for (int c = 0; c < clients.length; c++) {
            MqttAsyncClient client = new MqttAsyncClient(settings.serverUri(), settings.clientIdPrefix() + "-" + c,
                    new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            // Simulated meters keep no session: a restarted simulator is a new set of meters.
            o.setCleanSession(true);
            o.setAutomaticReconnect(true);
            o.setMaxInflight(settings.maxInflight());
            o.setKeepAliveInterval(30);
            if (settings.serverUri().startsWith("tcp://")) o.setSocketFactory(new NoDelaySocketFactory());
            else if (socketFactory != null) o.setSocketFactory(socketFactory);
            final int owner = c;
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    log.warn("simulator client {} lost its connection: {}", owner, cause == null ? "closed" : cause.getMessage());
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    onDown(owner, topic, message.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            // Bounds on a hang (a loaded machine's broker can take long to answer), not expectations.
            client.connect(o).waitForCompletion(PATIENCE_MS);
            client.subscribe(settings.topicPrefix() + "/+/down", 1).waitForCompletion(PATIENCE_MS);
            clients[c] = client;
        }
    }

    private void onDown(int client, String topic, byte[] payload) {
        String prefix = settings.topicPrefix() + "/";
        if (!topic.startsWith(prefix) || !topic.endsWith("/down")) return;
        String id = topic.substring(prefix.length(), topic.length() - "/down".length());
        Integer i = indexOf.get(id);
        if (i == null || i % clients.length != client) return;
        commands.incrementAndGet();
        String ack = meters.get(i).onCommand(payload);
        if (ack == null) return;
        // Not waiting on the callback thread: a full in-flight window is counted, and the gateway resends.
        try {
            clients[client].publish(prefix + id + "/ack", ack.getBytes(StandardCharsets.UTF_8), 1, false);
            acks.incrementAndGet();
        } catch (MqttException e) {
            publishFailures.incrementAndGet();
        }
    }

    /** Every meter reports once, at {@code at}; returns the number of messages published. */
    public long reportAll(Instant at) {
        return reportRange(0, meters.size(), at);
    }

    /** Meters {@code from} (inclusive) to {@code to} (exclusive) report once at {@code at}. */
    public long reportRange(int from, int to, Instant at) {
        long n = 0;
        for (int i = Math.max(0, from); i < Math.min(to, meters.size()); i++) n += report(i, at);
        return n;
    }

    private int report(int i, Instant at) {
        IcCardMeter m = meters.get(i);
        String topic = settings.topicPrefix() + "/" + m.id() + "/up";
        int n = 0;
        for (byte[] p : m.report(at)) {
            if (publish(clients[i % clients.length], topic, p)) n++;
        }
        return n;
    }

    /** QoS 1 publish; waits (briefly, repeatedly) while the client's in-flight window is full. */
    private boolean publish(MqttAsyncClient client, String topic, byte[] payload) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
        while (true) {
            try {
                client.publish(topic, payload, 1, false);
                published.incrementAndGet();
                return true;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT || System.nanoTime() > deadline) {
                    publishFailures.incrementAndGet();
                    return false;
                }
                publishWaits.incrementAndGet();
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** Starts reporting in simulated time on a background thread. */
    public synchronized void start() {
        if (running) return;
        running = true;
        reporter = new Thread(this::reportLoop, "ic-fleet-reporter");
        reporter.setDaemon(true);
        reporter.start();
    }

    private record Due(long atMillis, int meter) { }

    private void reportLoop() {
        long interval = settings.reportInterval().toMillis();
        long start = clock.millis();
        PriorityQueue<Due> queue = new PriorityQueue<>(Math.max(1, meters.size()),
                (a, b) -> Long.compare(a.atMillis(), b.atMillis()));
        for (int i = 0; i < meters.size(); i++) queue.add(new Due(start + interval * i / meters.size(), i));
        while (running) {
            long now = clock.millis();
            Due d;
            while (running && (d = queue.peek()) != null && d.atMillis() <= now) {
                queue.poll();
                report(d.meter(), Instant.ofEpochMilli(d.atMillis()));
                queue.add(new Due(d.atMillis() + interval, d.meter()));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    public long published() {
        return published.get();
    }

    public long publishWaits() {
        return publishWaits.get();
    }

    public long publishFailures() {
        return publishFailures.get();
    }

    public long commandsReceived() {
        return commands.get();
    }

    public long acksSent() {
        return acks.get();
    }

    /** meter,register_l,delivered_l,balance_l,valve,faults — what the meters really did. */
    public void writeTruth(Writer w) throws IOException {
        w.write("meter,register_l,delivered_l,balance_l,valve,faults\n");
        for (IcCardMeter m : meters) {
            w.write(m.id() + "," + m.registerL() + "," + m.deliveredL() + "," + m.balanceL() + ","
                    + (m.valveOpen() ? "open" : "closed") + "," + String.join("+", m.faults().stream().map(Enum::name).toList()) + "\n");
        }
    }

    @Override
    public void close() {
        running = false;
        Thread t = reporter;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (MqttAsyncClient c : clients) {
            if (c == null) continue;
            try {
                if (c.isConnected()) c.disconnect(2000).waitForCompletion(3000);
                c.close();
            } catch (MqttException e) {
                log.debug("simulator client close: {}", e.getMessage());
            }
        }
    }
}
