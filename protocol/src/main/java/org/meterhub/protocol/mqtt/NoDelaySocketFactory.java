package org.meterhub.protocol.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain TCP sockets with Nagle's algorithm off. MQTT packets are small and answered one by one
 * (PUBLISH → PUBACK); with Nagle on, a packet can wait for the peer's delayed ACK, adding about
 * 40 ms to a command's round trip. Shared by the gateway and the meter simulators.
 *
 * <p>The input side is buffered as well: Paho reads every packet's fixed header one byte at a
 * time straight from the socket: about four {@code read} calls per PUBLISH, each a trip into the
 * kernel. Buffered, one {@code read} takes whatever the broker has sent so far (measured with
 * {@code perf stat}: about 1.2 per uplink, counting the benchmark's own publishers).
 */
public final class NoDelaySocketFactory extends SocketFactory {
    @Override
    public Socket createSocket() throws IOException {
        Socket s = new BufferedInputSocket();
        s.setTcpNoDelay(true);
        return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    private static final class BufferedInputSocket extends Socket {
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) in = new BufferedInputStream(super.getInputStream(), 64 << 10);
            return in;
        }
    }
}
