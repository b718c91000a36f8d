package org.meterhub.engine.billing;

/** Bad tariff data or a bill run that a tariff cannot price: one line that names what is wrong. */
public final class TariffException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TariffException(String message) {
        super(message, null, false, false);
    }
}
