package org.meterhub.gateway.forward;

import java.time.Duration;
import java.util.function.Consumer;
import org.meterhub.engine.intake.BatchAck;
import org.meterhub.engine.intake.BatchNack;
import org.meterhub.engine.intake.EngineReady;
import org.meterhub.engine.intake.MqttLink;
import org.meterhub.engine.intake.ReadingBatch;
import org.meterhub.engine.intake.Topics;
import org.meterhub.engine.intake.WireFormat;
import org.meterhub.engine.intake.WireFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches published at QoS 1 to {@code {prefix}/v1/readings/{partition}}; acknowledgements read
 * from {@code {prefix}/v1/acks/{gateway}} (see {@link Topics}).
 */
public final class MqttBatchTransport implements BatchTransport {
    private static final Logger log = LoggerFactory.getLogger(MqttBatchTransport.class);

    private final Topics topics;
    private final String gatewayId;
    private final String brokerUri;
    private final Duration maxBackoff;
    private final WireFormat wire = new WireFormat();
    private final org.meterhub.engine.gateways.GatewayStatusCodec statusCodec = new org.meterhub.engine.gateways.GatewayStatusCodec();
    private final org.meterhub.engine.tls.BrokerTls tls;
    private MqttLink link;
    private volatile Consumer<org.meterhub.engine.intake.AlarmAck> alarmAcks = a -> { };
    private long badAcks;

    public MqttBatchTransport(String brokerUri, String gatewayId, Topics topics, Duration maxBackoff) {
        this(brokerUri, gatewayId, topics, maxBackoff, null);
    }

    /** @param tls CA and client certificate for an {@code ssl://} broker; null without */
    public MqttBatchTransport(String brokerUri, String gatewayId, Topics topics, Duration maxBackoff,
                              org.meterhub.engine.tls.BrokerTls tls) {
        this.tls = tls;
        this.brokerUri = brokerUri;
        this.gatewayId = Topics.checkGatewayId(gatewayId);
        this.topics = topics;
        this.maxBackoff = maxBackoff;
    }

    @Override
    public void start(Consumer<BatchAck> acks) {
        start(acks, nack -> { }, ready -> { });
    }

    @Override
    public void start(Consumer<BatchAck> acks, Consumer<BatchNack> nacks, Consumer<EngineReady> ready) {
        String readyTopic = topics.ready();
        link = new MqttLink(brokerUri, "meterhub-gw-" + gatewayId, tls, maxBackoff, (topic, payload) -> {
            try {
                if (topic.equals(readyTopic)) {
                    ready.accept(wire.decodeReady(payload));
                    return;
                }
                Object reply = wire.decodeReply(payload);
                if (reply instanceof org.meterhub.engine.intake.AlarmAck alarmAck) alarmAcks.accept(alarmAck);
                else if (reply instanceof BatchNack nack) nacks.accept(nack);
                else acks.accept((BatchAck) reply);
            } catch (WireFormatException e) {
                badAcks++;
                log.warn("ignored a message on {} that is not an acknowledgement ({} so far): {}", topic, badAcks,
                        e.getMessage());
            }
        });
        link.subscribe(topics.acks(gatewayId));
        link.subscribe(readyTopic);
        link.start();
    }

    /** Publishes the gateway's status for the engines' console; false when the link is down (the next one follows). */
    public boolean publishStatus(org.meterhub.engine.gateways.GatewayStatus status) {
        return link != null && link.publish(topics.status(gatewayId), statusCodec.encode(status));
    }

    /** Where engines' acknowledgements of this gateway's alarms go; set before {@link #start}. */
    public void onAlarmAck(Consumer<org.meterhub.engine.intake.AlarmAck> consumer) {
        this.alarmAcks = consumer;
    }

    /** Publishes an alarm for the engines' store ({@link Topics#alarms()}); false when the link is down. */
    public boolean send(org.meterhub.engine.intake.GatewayAlarm alarm) {
        MqttLink l = link;
        return l != null && l.publish(topics.alarms(), wire.encode(alarm));
    }

    @Override
    public boolean send(ReadingBatch batch) {
        return link.publish(topics.readings(batch.partition()), wire.encode(batch));
    }

    @Override
    public long epoch() {
        return link.connections();
    }

    @Override
    public boolean connected() {
        return link != null && link.connected();
    }

    /** Why the last attempt to reach the broker failed; null when none has (or not started). */
    public String lastConnectFailure() {
        return link == null ? null : link.lastConnectFailure();
    }

    @Override
    public void close() {
        if (link != null) link.close();
    }
}
