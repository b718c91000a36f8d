package org.meterhub.gateway.dtu;

import io.netty.channel.ChannelPipeline;
import java.util.Set;

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

    /** Whether the id is configured here; an unknown id is refused before anything else. */
    default boolean configured(String dtuId) {
        return true;
    }

    /**
     * What the DTU may send after its id to prove who it is (protocols.md §2). When a DTU has any,
     * every registration of that id must carry one of them.
     */
    default Set<String> proofs(String dtuId) {
        return Set.of();
    }
}
