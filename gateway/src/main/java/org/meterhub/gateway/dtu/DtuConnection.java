package org.meterhub.gateway.dtu;

import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.time.Instant;

/** One registered DTU connection. */
public record DtuConnection(String dtuId, Channel channel, Instant registeredAt) {
    public SocketAddress remote() {
        return channel.remoteAddress();
    }
}
