package org.meterhub.gateway.mqtt;

import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** The real Mosquitto the tests run against, and cleanup of the persistent sessions they leave. */
public final class TestBroker {
    public static final String URI = System.getProperty("meterhub.mqtt", "tcp://127.0.0.1:1883");

    private TestBroker() {
    }

    public static String unique(String what) {
        return "mh-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Connects once with clean-session true under {@code clientId}: the broker drops that session and its queue. */
    public static void forgetSession(String clientId) throws MqttException {
        MqttClient c = new MqttClient(URI, clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        c.disconnect();
        c.close();
    }
}
