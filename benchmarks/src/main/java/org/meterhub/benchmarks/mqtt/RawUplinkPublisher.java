package org.meterhub.benchmarks.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A publisher that costs next to nothing: the MQTT 3.1.1 PUBLISH packets (QoS 1, one topic per
 * meter as the contract has it) are built before the clock starts and written to the broker's
 * socket in large blocks; the broker's PUBACKs are read and counted on another thread. TCP flow
 * control paces it to what the broker reads. Exists because Paho publishers in the same JVM, and
 * {@code mosquitto_pub -l} (one topic for every line), cannot produce the contract's stream fast enough
 * to load the gateway.
 */
final class RawUplinkPublisher implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final AtomicLong pubacks = new AtomicLong();
    private final Thread reader;

    RawUplinkPublisher(String host, int port, String clientId) throws IOException {
        socket = new Socket(host, port);
        socket.setTcpNoDelay(true);
        socket.setSendBufferSize(1 << 20);
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60}); // MQTT 3.1.1, clean session, keep-alive 60 s
        c.write(id.length >> 8);
        c.write(id.length);
        c.write(id);
        ByteArrayOutputStream connect = new ByteArrayOutputStream();
        connect.write(0x10);
        writeLength(connect, c.size());
        c.writeTo(connect);
        out.write(connect.toByteArray());
        out.flush();
        byte[] connack = in.readNBytes(4);
        if (connack.length != 4 || connack[0] != 0x20 || connack[3] != 0) {
            throw new IOException("broker refused the connection");
        }
        reader = new Thread(() -> {
            byte[] buf = new byte[1 << 16];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    pubacks.addAndGet(n); // PUBACKs are 4 bytes each
                    // The broker sends each PUBACK on its own; reading them as they come cost a system
                    // call and a wake-up per uplink, CPU the broker and the subscriber under test then
                    // lacked. Let them gather in the socket buffer instead.
                    if (n < buf.length / 2) Thread.sleep(1);
                }
            } catch (IOException ignored) {
                // closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "raw-publisher-acks");
        reader.setDaemon(true);
        reader.start();
    }

    /** PUBACKs the broker has sent so far. */
    long acked() {
        return pubacks.get() / 4;
    }

    void write(byte[] packets) throws IOException {
        out.write(packets);
        out.flush();
    }

    /** One contract uplink as a PUBLISH packet, QoS 1 (as the contract has it) or 0. */
    static void appendUplink(ByteArrayOutputStream to, String prefix, String meter, long seq, Instant ts, long litres,
                             int packetId, int qos) {
        appendUplink(to, prefix, meter, seq, ts, litres, packetId, qos, 0);
    }

    /**
     * @param history hourly frozen registers in a {@code history} array (protocols.md §3), the newest one
     *                {@code history} hours before the whole day of {@code ts}: a daily batch meter's upload
     */
    static void appendUplink(ByteArrayOutputStream to, String prefix, String meter, long seq, Instant ts, long litres,
                             int packetId, int qos, int history) {
        byte[] topic = (prefix + "/" + meter + "/up").getBytes(StandardCharsets.UTF_8);
        long balance = 50_000 - (litres % 40_000);
        StringBuilder h = new StringBuilder(history == 0 ? 0 : 16 + 60 * history);
        if (history > 0) {
            Instant day = ts.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
            h.append(",\"history\":[");
            for (int k = 0; k < history; k++) {
                long v = litres - (history - k) * 7L;
                if (k > 0) h.append(',');
                h.append("{\"ts\":\"").append(day.minusSeconds(3600L * (history - k - 1))).append("\",\"volume_m3\":\"")
                        .append(v / 1000).append('.').append(pad3(v % 1000)).append("\"}");
            }
            h.append(']');
        }
        String body = "{\"meter\":\"" + meter + "\",\"seq\":" + seq + ",\"ts\":\"" + ts + "\",\"volume_m3\":\""
                + litres / 1000 + "." + pad3(litres % 1000) + "\",\"balance_m3\":\"" + balance / 1000 + "."
                + pad3(balance % 1000) + "\",\"valve\":\"open\",\"alarms\":[],\"battery_v\":3.55" + h + "}";
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        to.write(qos == 1 ? 0x32 : 0x30); // PUBLISH
        writeLength(to, 2 + topic.length + (qos == 1 ? 2 : 0) + payload.length);
        to.write(topic.length >> 8);
        to.write(topic.length);
        to.write(topic, 0, topic.length);
        if (qos == 1) {
            to.write(packetId >> 8);
            to.write(packetId);
        }
        to.write(payload, 0, payload.length);
    }

    private static String pad3(long v) {
        return v < 10 ? "00" + v : v < 100 ? "0" + v : Long.toString(v);
    }

    private static void writeLength(ByteArrayOutputStream to, int len) {
        do {
            int b = len % 128;
            len /= 128;
            to.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
    }

    @Override
    public void close() throws IOException {
        out.write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
        out.flush();
        socket.close();
    }
}
