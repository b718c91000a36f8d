package org.meterhub.engine.prepaid;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * What the shadow ledger knows about one meter after its latest report: the basis it reckons from
 * (anchor), the latest report, the purchases it counted, and which alarms are standing. Saved after
 * every report so that a restarted ledger continues instead of re-anchoring.
 *
 * @param lastExpected     null for money meters (not compared with the ledger)
 * @param purchasesApplied purchases counted since the anchor at the latest report
 */
public record LedgerState(String meterId, BalanceUnit unit, Instant anchorTime, long anchorVolumeL,
                          BigDecimal anchorBalance, Instant lastTime, long lastVolumeL, BigDecimal lastReported,
                          BigDecimal lastExpected, BigDecimal purchasesApplied, boolean mismatch, boolean low,
                          boolean overdraft, boolean replacementIssued) {
    public LedgerState {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(anchorTime, "anchorTime");
        Objects.requireNonNull(anchorBalance, "anchorBalance");
        Objects.requireNonNull(lastTime, "lastTime");
        Objects.requireNonNull(lastReported, "lastReported");
        Objects.requireNonNull(purchasesApplied, "purchasesApplied");
    }
}
