package org.meterhub.gateway.serial;

import com.fazecast.jSerialComm.SerialPort;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RS-485 port through jSerialComm: bytes in on a reader thread, bytes out on a writer thread
 * that keeps the line silent for {@link SerialSettings#silence()} before each transmission (Modbus
 * RTU's 3.5 characters, or the configured turnaround delay if longer). jSerialComm blocks, so the
 * two threads keep it away from Netty's event loops; a gateway has a handful of serial ports, not
 * thousands.
 */
public final class SerialLine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SerialLine.class);
    private static final int READ_TIMEOUT_MS = 100;

    private final SerialSettings settings;
    private final SerialPort port;
    private final ExecutorService writer;
    private final Thread reader;
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    /** System.nanoTime() at which the line last carried a byte (received, or finished sending). */
    private volatile long lastActivityNanos = System.nanoTime();
    /** System.nanoTime() at which the reader last handed bytes on; the start of a turnaround. */
    private volatile long lastReceivedNanos;
    /** From the last received byte to the first byte of the next request: the gateway's share of a cycle. */
    private final Recorder turnaroundMicros = new Recorder(3);
    private volatile boolean open = true;
    private volatile Consumer<byte[]> onBytes = b -> { };
    private volatile Runnable onClosed = () -> { };

    private SerialLine(SerialSettings settings, SerialPort port) {
        this.settings = settings;
        this.port = port;
        String name = "serial-" + settings.port().replaceAll(".*/", "");
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-tx"));
        this.reader = daemon(this::readLoop, name + "-rx");
    }

    /** Opens the port with the settings' baud rate and framing; the reader starts at {@link #start}. */
    public static SerialLine open(SerialSettings settings) {
        SerialPort port = SerialPort.getCommPort(settings.port());
        int parity = switch (settings.parity()) {
            case NONE -> SerialPort.NO_PARITY;
            case EVEN -> SerialPort.EVEN_PARITY;
            case ODD -> SerialPort.ODD_PARITY;
        };
        port.setComPortParameters(settings.baud(), 8, SerialPort.ONE_STOP_BIT, parity);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, READ_TIMEOUT_MS, 0);
        if (!port.openPort()) {
            throw new SerialLineException("cannot open serial port " + settings.port() + " (error " + port.getLastErrorCode() + ")");
        }
        return new SerialLine(settings, port);
    }

    /**
     * Starts delivering received bytes. {@code onBytes} runs on the reader thread with a fresh array
     * it may keep; {@code onClosed} runs once when the port fails or is closed.
     */
    public void start(Consumer<byte[]> onBytes, Runnable onClosed) {
        this.onBytes = onBytes;
        this.onClosed = onClosed;
        reader.start();
    }

    public SerialSettings settings() {
        return settings;
    }

    /** Queues {@code bytes} for sending after the required silence. */
    public void write(byte[] bytes) {
        if (!open) return;
        writer.execute(() -> send(bytes));
    }

    private void send(byte[] bytes) {
        long quietUntil = lastActivityNanos + settings.silence().toNanos();
        long wait = quietUntil - System.nanoTime();
        // parkNanos, not Thread.sleep: sleep rounds 3.65 ms (3.5 characters at 9600) up to whole milliseconds,
        // and every request on the line would pay the difference
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) return;
            wait = quietUntil - System.nanoTime();
        }
        long received = lastReceivedNanos;
        if (received != 0) {
            turnaroundMicros.recordValue(Math.max(0, (System.nanoTime() - received) / 1000));
            lastReceivedNanos = 0;
        }
        int n = port.writeBytes(bytes, bytes.length);
        if (n < 0) {
            log.warn("serial {}: write failed (error {})", settings.port(), port.getLastErrorCode());
            close();
            return;
        }
        bytesOut.addAndGet(n);
        // the UART needs this long to shift the bytes out; the silence counts from the last stop bit
        lastActivityNanos = System.nanoTime() + settings.wireTime(n).toNanos();
    }

    private void readLoop() {
        byte[] buf = new byte[512];
        while (open) {
            int n = port.readBytes(buf, buf.length);
            if (n < 0) {
                if (open) log.warn("serial {}: read failed (error {}), closing", settings.port(), port.getLastErrorCode());
                break;
            }
            if (n > 0) {
                long now = System.nanoTime();
                lastActivityNanos = now;
                lastReceivedNanos = now;
                bytesIn.addAndGet(n);
                onBytes.accept(Arrays.copyOf(buf, n));
            }
        }
        close();
    }

    public boolean isOpen() {
        return open;
    }

    /**
     * Turnarounds since the last call: from the moment the reader handed on the last received bytes to
     * the first byte of the next request, in microseconds (the required silence included).
     */
    public org.HdrHistogram.Histogram turnaroundMicros() {
        return turnaroundMicros.getIntervalHistogram();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long bytesOut() {
        return bytesOut.get();
    }

    @Override
    public void close() {
        if (!open) return;
        open = false;
        writer.shutdownNow();
        port.closePort();
        onClosed.run();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
