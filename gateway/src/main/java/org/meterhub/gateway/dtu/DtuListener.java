package org.meterhub.gateway.dtu;

import io.netty.channel.ChannelPipeline;

/** What the gateway does when a DTU registers: install the bus protocol for that id. */
public interface DtuListener {

    /**
     * Called on the channel's event loop after a valid registration line. Returns false to refuse
     * the DTU (unknown id), which closes the connection.
     *
     * @param pipeline add the bus handlers with {@code addLast}; the tunnel bytes flow into them
     */
    boolean registered(String dtuId, ChannelPipeline pipeline, DtuConnection connection);

    void disconnected(String dtuId, DtuConnection connection);
}
