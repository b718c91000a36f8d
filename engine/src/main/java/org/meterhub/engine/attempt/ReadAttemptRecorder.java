package org.meterhub.engine.attempt;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.meterhub.engine.ingest.ReadingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records failed polls without blocking the pollers: a {@link ReadingSink} in front of another that
 * passes readings on unchanged and queues each {@link ReadingSink#readFailed} as a {@link ReadAttempt}
 * (timed by {@code clock}) for one writer thread. A full queue drops the attempt and counts it: a
 * lost attempt only delays an estimate, never a reading.
 */
public final class ReadAttemptRecorder implements ReadingSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadAttemptRecorder.class);

    private final ReadingSink readings;
    private final ReadAttemptLog attempts;
    private final Clock clock;
    private final BlockingQueue<ReadAttempt> queue;
    private final Thread writer;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closing;

    public ReadAttemptRecorder(ReadingSink readings, ReadAttemptLog attempts, Clock clock, int capacity) {
        this.readings = Objects.requireNonNull(readings, "readings");
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::run, "read-attempts");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void accept(org.meterhub.engine.reading.Reading reading) {
        readings.accept(reading);
    }

    @Override
    public boolean accepting() {
        return readings.accepting();
    }

    @Override
    public void readFailed(String meterId, String source, String why) {
        readings.readFailed(meterId, source, why);
        if (closing || !queue.offer(ReadAttempt.failedPoll(meterId, clock.instant(), why, "gateway:" + source))) {
            dropped.incrementAndGet();
        }
    }

    public long recorded() {
        return recorded.get();
    }

    public long dropped() {
        return dropped.get();
    }

    private void run() {
        while (!(closing && queue.isEmpty())) {
            ReadAttempt a;
            try {
                a = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (a == null) continue;
            try {
                attempts.record(a);
                recorded.incrementAndGet();
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
                log.warn("could not record a failed poll: {} (meter at DEBUG)", e.getMessage());
                log.debug("could not record the failed poll of meter {}", a.meterId());
            }
        }
    }

    /** Writes what is queued (up to 5 s), then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
