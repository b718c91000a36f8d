package org.meterhub.app.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C as a request, not an abort: the hook asks the main thread to stop and waits until it has
 * flushed everything, so a SIGINT never loses a reading that was already accepted.
 */
public final class ShutdownSignal {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    public ShutdownSignal(Duration maxCleanup) {
        hook = new Thread(() -> {
            requested.countDown();
            try {
                finished.await(maxCleanup.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "meterhub-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits up to {@code d} (forever when zero); true if a stop was requested. */
    public boolean await(Duration d) throws InterruptedException {
        if (d.isZero()) {
            requested.await();
            return true;
        }
        return requested.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean requested() {
        return requested.getCount() == 0;
    }

    /** Called by the main thread when everything is flushed and closed. */
    public void finished() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running and will now return
        }
    }
}
