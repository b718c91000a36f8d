package org.meterhub.gateway.forward;

import java.util.function.Consumer;
import org.meterhub.engine.intake.BatchAck;
import org.meterhub.engine.intake.BatchNack;
import org.meterhub.engine.intake.EngineReady;
import org.meterhub.engine.intake.ReadingBatch;

/**
 * How journal batches reach an engine and acknowledgements come back: over MQTT
 * ({@link MqttBatchTransport}) or, in a single box, by hand within the process ({@link LocalBatchTransport}).
 * Delivery may fail silently; the {@link Forwarder} resends until an acknowledgement arrives.
 */
public interface BatchTransport extends AutoCloseable {

    /** Starts delivery; acknowledgements go to {@code acks} on any thread, and must not block. */
    void start(Consumer<BatchAck> acks);

    /**
     * As {@link #start(Consumer)}, and "not now" answers ({@link BatchNack}: resend at the engine's next store attempt)
     * go to {@code nacks}, engines' announcements that they take partitions now ({@link EngineReady}: resend at once)
     * to {@code ready}; transports that have neither ignore them.
     */
    default void start(Consumer<BatchAck> acks, Consumer<BatchNack> nacks, Consumer<EngineReady> ready) {
        start(acks);
    }

    /** Hands the batch on; false when it certainly did not leave (link down), so resending at once is pointless. */
    boolean send(ReadingBatch batch);

    /** Changes whenever the link reconnected: batches sent before may be lost and are resent at once. */
    long epoch();

    /** Whether the link is up now (readiness); a transport within the process always is. */
    default boolean connected() {
        return true;
    }

    @Override
    void close();
}
