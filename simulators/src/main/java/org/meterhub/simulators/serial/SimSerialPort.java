package org.meterhub.simulators.serial;

import com.fazecast.jSerialComm.SerialPort;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The device end of a serial line for simulators (usually one end of a socat pseudo-terminal pair):
 * a reader thread, replies scheduled at the moment a real line would deliver them, and optional line
 * noise that corrupts bytes in both directions.
 */
public final class SimSerialPort implements AutoCloseable {
    private final SerialPort port;
    private final Thread reader;
    private final ScheduledExecutorService writer;
    private final Random random;
    private volatile double noise;
    private volatile boolean open = true;
    private final AtomicLong corrupted = new AtomicLong();
    private final AtomicLong sends = new AtomicLong();
    private final AtomicLong lateMicros = new AtomicLong();

    private SimSerialPort(SerialPort port, Consumer<byte[]> onBytes, long seed) {
        this.port = port;
        this.random = new Random(seed);
        String name = "sim-" + port.getSystemPortName();
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-tx"));
        this.reader = daemon(() -> {
            byte[] buf = new byte[256];
            while (open) {
                int n = port.readBytes(buf, buf.length);
                if (n < 0) break;
                if (n > 0) {
                    byte[] in = Arrays.copyOf(buf, n);
                    corrupt(in);
                    onBytes.accept(in);
                }
            }
        }, name + "-rx");
    }

    /** Opens {@code path} (8 data bits, 1 stop bit; parity 'N', 'E' or 'O') and starts reading. */
    public static SimSerialPort open(String path, int baud, char parity, Consumer<byte[]> onBytes, long seed) {
        SerialPort p = SerialPort.getCommPort(path);
        int par = parity == 'E' ? SerialPort.EVEN_PARITY : parity == 'O' ? SerialPort.ODD_PARITY : SerialPort.NO_PARITY;
        p.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, par);
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 100, 0);
        if (!p.openPort()) throw new IllegalStateException("cannot open " + path + " (error " + p.getLastErrorCode() + ")");
        SimSerialPort s = new SimSerialPort(p, onBytes, seed);
        s.reader.start();
        return s;
    }

    /** Corrupts each byte on the line, either direction, with this probability (0..1). */
    public void noise(double perByte) {
        this.noise = perByte;
    }

    public long corruptedBytes() {
        return corrupted.get();
    }

    /** Sends {@code bytes} after {@code delayMicros}, as one burst. */
    public void send(byte[] bytes, long delayMicros) {
        if (!open) return;
        long due = System.nanoTime() + delayMicros * 1000;
        writer.schedule(() -> {
            lateMicros.addAndGet(Math.max(0, (System.nanoTime() - due) / 1000));
            sends.incrementAndGet();
            byte[] out = bytes.clone();
            corrupt(out);
            port.writeBytes(out, out.length);
        }, delayMicros, TimeUnit.MICROSECONDS);
    }

    /** Mean time a reply went out after the moment the wire model gave it, in microseconds (scheduler lateness). */
    public double meanLateMicros() {
        long n = sends.get();
        return n == 0 ? 0 : (double) lateMicros.get() / n;
    }

    private void corrupt(byte[] b) {
        double p = noise;
        if (p <= 0) return;
        synchronized (random) {
            for (int i = 0; i < b.length; i++) {
                if (random.nextDouble() < p) {
                    b[i] ^= (byte) (1 + random.nextInt(255)); // any other value
                    corrupted.incrementAndGet();
                }
            }
        }
    }

    @Override
    public void close() {
        open = false;
        writer.shutdownNow();
        port.closePort();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
