package org.meterhub.engine.importing;

/** A mistake in what the import was given (a missing column, a bad meters file): one line naming the place. */
public final class ImportException extends RuntimeException {
    public ImportException(String message) {
        super(message);
    }
}
