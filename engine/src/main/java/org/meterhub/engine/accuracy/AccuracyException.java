package org.meterhub.engine.accuracy;

/** A test record or a dispute step that cannot be accepted, said in one line (a user mistake, exit code 2). */
public final class AccuracyException extends RuntimeException {
    public AccuracyException(String message) {
        super(message);
    }
}
