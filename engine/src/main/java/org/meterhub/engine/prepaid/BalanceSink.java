package org.meterhub.engine.prepaid;

/** Where meter-reported balances go (the {@link ShadowLedger} in one process). */
@FunctionalInterface
public interface BalanceSink {
    void accept(BalanceReport report);

    BalanceSink NONE = r -> { };
}
