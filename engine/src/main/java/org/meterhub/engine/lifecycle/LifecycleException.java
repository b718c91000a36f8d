package org.meterhub.engine.lifecycle;

/** A lifecycle step that cannot be taken, said in one line (a user mistake). */
public final class LifecycleException extends RuntimeException {
    public LifecycleException(String message) {
        super(message);
    }
}
