package org.meterhub.engine.store;

/**
 * An append was refused because its {@link Fence} is stale: another engine took the lease since.
 * Nothing of the append was committed. Not a store failure: the store is fine, this engine is
 * no longer the one allowed to write.
 */
public final class FencedOutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FencedOutException(String message) {
        super(message);
    }
}
