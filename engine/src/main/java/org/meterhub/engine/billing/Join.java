package org.meterhub.engine.billing;

/** Waiting for a bill run's own threads (the reader, the checkpoint) to end. */
final class Join {
    private Join() {
    }

    /**
     * Waits until {@code t} has ended, even when interrupted meanwhile (a run must not return while its thread still
     * touches the store); the interrupt is kept for the caller.
     */
    static void uninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
