package org.meterhub.engine.prepaid;

import java.util.List;

/** Where the shadow ledger keeps its per-meter state across restarts. */
public interface LedgerStateStore {
    /** Every meter's saved state (read once when a ledger starts). */
    List<LedgerState> loadAll();

    /** Replaces the meter's saved state. */
    void save(LedgerState state);

    /** Keeps nothing: the ledger re-anchors on each meter's first report after a restart. */
    LedgerStateStore NONE = new LedgerStateStore() {
        @Override
        public List<LedgerState> loadAll() {
            return List.of();
        }

        @Override
        public void save(LedgerState state) {
        }
    };
}
