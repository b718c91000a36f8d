package org.meterhub.engine.intake;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.store.FencedOutException;
import org.meterhub.engine.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine end of store-and-forward: subscribes to the reading topics of the partitions it
 * holds a lease on, commits each batch through a fresh-state {@link IngestPipeline} into the store,
 * and acknowledges the batch to its gateway only after the commit.
 *
 * <p>One intake thread does everything that touches leases and the pipeline, so a lease is never
 * given up in the middle of a batch. Paho's callback thread only queues raw payloads; a full queue
 * drops (counts) the message, which is safe because the gateway keeps the batch in its journal and
 * sends it again when no acknowledgement comes.
 */
public final class MqttIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttIntake.class);

    private final IntakeSettings settings;
    private final PartitionLeases leases;
    /** Null when appends are not fenced (a caller that shares its store with no other engine). */
    private final LeaseFences fences;
    private final BatchCommitter committer;
    private final WireFormat wire = new WireFormat();
    /** A message as Paho handed it over: the topic says whether it is a batch or a gateway's alarm. */
    private record Incoming(String topic, byte[] payload) { }

    private final BlockingQueue<Incoming> queue;
    private volatile GatewayAlarmStore alarmStore;
    private final MqttLink link;
    private final Thread worker;
    private final IntakeStats stats = new IntakeStats();
    private final Set<Integer> held = new HashSet<>();
    private volatile boolean running = true;
    private long lastRejectLogNanos;
    private boolean refreshNow;
    /** Set on a (re)connect: announce every held partition (the broker dropped what came while nobody listened). */
    private volatile boolean announceAll;

    /** Unfenced: for an engine that shares its store with no other (its pipelines' store is not a {@link FencedStore}). */
    public MqttIntake(IntakeSettings settings, PartitionLeases leases, Supplier<IngestPipeline> pipelines) {
        this(settings, leases, null, pipelines);
    }

    /**
     * @param fences    the fencing tokens the pipelines' store checks ({@link FencedStore} over the same
     *                  {@link LeaseFences}); taken here whenever a partition is gained, released when lost
     * @param pipelines makes a pipeline into the store; a new one after every change of partitions or store failure
     */
    public MqttIntake(IntakeSettings settings, PartitionLeases leases, LeaseFences fences,
                      Supplier<IngestPipeline> pipelines) {
        this(settings, leases, fences, pipelines, org.meterhub.engine.ingest.StoreRetry.DEFAULTS,
                new org.meterhub.engine.ingest.StoreHealth("store", java.time.Clock.systemUTC()));
    }

    /**
     * @param retry  the wait after a failed store commit (batches arriving meanwhile are dropped unacknowledged;
     *               their gateways keep them and resend)
     * @param health the store's state (status line, one alarm per outage)
     */
    public MqttIntake(IntakeSettings settings, PartitionLeases leases, LeaseFences fences,
                      Supplier<IngestPipeline> pipelines, org.meterhub.engine.ingest.StoreRetry retry,
                      org.meterhub.engine.ingest.StoreHealth health) {
        this.settings = settings;
        this.leases = leases;
        this.fences = fences;
        this.committer = new BatchCommitter(pipelines, retry, health);
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.link = new MqttLink(settings.brokerUri(), settings.clientId(), settings.tls(), settings.storeBackoff(), (topic, payload) -> {
            if (!queue.offer(new Incoming(topic, payload))) stats.dropped.incrementAndGet();
        });
        this.link.onConnected(() -> announceAll = true);
        this.worker = new Thread(this::run, "engine-intake");
        this.worker.setDaemon(true);
    }

    /**
     * Takes the gateways' alarms ({@link GatewayAlarm}, a refused DTU takeover) too, through the engines' shared
     * subscription, and acknowledges each once {@code store} kept it. Call before {@link #start()}.
     */
    public MqttIntake withAlarms(GatewayAlarmStore store) {
        this.alarmStore = java.util.Objects.requireNonNull(store, "store");
        return this;
    }

    public MqttIntake start() {
        if (alarmStore != null) link.subscribe(settings.topics().alarmSubscription());
        link.start();
        worker.start();
        return this;
    }

    public IntakeStats stats() {
        return stats;
    }

    /** The store's state as this intake sees it. */
    public org.meterhub.engine.ingest.StoreHealth storeHealth() {
        return committer.health();
    }

    public boolean connected() {
        return link.connected();
    }

    /** Why the last attempt to reach the broker failed (a refused certificate, say); null when none has. */
    public String lastConnectFailure() {
        return link.lastConnectFailure();
    }

    private void run() {
        long nextRefresh = 0;
        try {
            while (running) {
                long now = System.nanoTime();
                if (now - nextRefresh >= 0 || refreshNow) {
                    refreshNow = false;
                    refreshLeases();
                    nextRefresh = System.nanoTime() + settings.leaseRefresh().toNanos();
                }
                if (announceAll) {
                    announceAll = false;
                    announce(held);
                }
                Incoming in = queue.poll(100, TimeUnit.MILLISECONDS);
                if (in == null) continue;
                if (in.topic().equals(settings.topics().alarms())) handleAlarm(in.payload());
                else handle(in.payload());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            committer.close();
        }
    }

    private void refreshLeases() {
        Set<Integer> now = leases.refresh();
        Set<Integer> gained = new HashSet<>();
        for (var it = held.iterator(); it.hasNext(); ) {
            int p = it.next();
            if (!now.contains(p)) {
                it.remove();
                if (fences != null) fences.release(p);
                link.unsubscribe(settings.topics().readings(p));
            }
        }
        for (int p : now) {
            if (held.contains(p)) continue;
            if (fences != null && !takeFence(p)) continue; // not usable until the store takes the token
            held.add(p);
            gained.add(p);
            link.subscribe(settings.topics().readings(p));
        }
        // Another engine may have written these partitions' meters since this one last saw them.
        if (!gained.isEmpty()) {
            committer.reset();
            announce(gained);
        }
        stats.partitionsHeld = held.size();
    }

    /** Takes the partition's fencing token before anything of it is processed; false when the store is down. */
    private boolean takeFence(int partition) {
        try {
            fences.take(partition);
            return true;
        } catch (StoreException e) {
            log.warn("cannot take the fencing token of partition {} ({}); trying again at the next refresh",
                    partition, e.getMessage());
            return false;
        }
    }

    private static boolean fencedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FencedOutException) return true;
        }
        return false;
    }

    private void handle(byte[] payload) throws InterruptedException {
        ReadingBatch batch;
        try {
            batch = wire.decodeBatch(payload);
        } catch (WireFormatException e) {
            stats.rejected.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastRejectLogNanos > 10_000_000_000L) { // a bad peer must not flood the log
                lastRejectLogNanos = now;
                log.warn("rejected a batch that is not wire format v{} ({} so far): {}", WireFormat.VERSION,
                        stats.rejected(), e.getMessage());
            }
            return;
        }
        if (!held.contains(batch.partition()) || !leases.holds(batch.partition())) {
            stats.notOwned.incrementAndGet();
            return;
        }
        if (!committer.ready()) { // waiting out the store's backoff: the gateway keeps the batch and resends it
            stats.dropped.incrementAndGet();
            notNow(batch);
            return;
        }
        BatchAck ack;
        try {
            ack = committer.commit(batch);
        } catch (IllegalStateException e) {
            if (fencedOut(e)) {
                // Another engine took the partition: nothing was committed, the gateway resends to it.
                stats.fencedOut.incrementAndGet();
                refreshNow = true;
                log.warn("batch of partition {} refused by the store's fence: {}", batch.partition(), e.getMessage());
                return;
            }
            stats.storeFailures.incrementAndGet(); // StoreHealth logs it: one alarm per outage
            notNow(batch);
            return;
        }
        stats.batches.incrementAndGet();
        stats.readings.addAndGet(batch.entries().size());
        // The lease may have gone while committing: the ack would still be true (the rows are
        // committed), so it is sent; the new owner's replay of the same batch changes nothing.
        if (link.publish(settings.topics().acks(batch.gatewayId()), wire.encode(ack))) {
            stats.acksSent.incrementAndGet();
        } else {
            stats.ackFailures.incrementAndGet();
        }
    }

    private void handleAlarm(byte[] payload) {
        GatewayAlarm alarm;
        try {
            alarm = wire.decodeAlarm(payload);
        } catch (WireFormatException e) {
            stats.rejected.incrementAndGet();
            log.warn("rejected a gateway alarm that is not wire format v{}: {}", WireFormat.VERSION, e.getMessage());
            return;
        }
        GatewayAlarmStore store = alarmStore;
        if (store == null) return;
        try {
            store.store(alarm);
        } catch (RuntimeException e) {
            // Not acknowledged: the gateway sends it again.
            log.warn("alarm {} of gateway {} not stored ({}); the gateway sends it again", alarm.kind(), alarm.gatewayId(),
                    e.getMessage());
            return;
        }
        stats.alarms.incrementAndGet();
        link.publish(settings.topics().acks(alarm.gatewayId()), wire.encode(new AlarmAck(alarm.gatewayId(), alarm.id())));
    }

    /**
     * Tells every gateway that batches of these partitions are taken now: what they sent while no engine was
     * subscribed (its leases lost with the database, or the broker restarted) was dropped, and waiting for the ack
     * timeout would add up to 30 s to every such outage. Published after the subscriptions on the same connection, so
     * the broker routes the resends to this engine.
     */
    private void announce(Set<Integer> partitions) {
        if (partitions.isEmpty()) return;
        String engine = settings.clientId();
        if (link.publish(settings.topics().ready(), wire.encode(new EngineReady(engine, partitions)))) {
            stats.readyAnnounced.incrementAndGet();
        }
    }

    /**
     * Tells the batch's gateway to send it again when this engine's store backoff ends: without it the gateway waits
     * for its acknowledgement timeout (10 s doubling to 30 s), so resuming after a store outage took up to 30 s.
     */
    private void notNow(ReadingBatch batch) {
        BatchNack nack = BatchNack.of(batch, committer.retryIn(), committer.health().status());
        if (link.publish(settings.topics().acks(batch.gatewayId()), wire.encode(nack))) stats.nacksSent.incrementAndGet();
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
        leases.close();
    }
}
