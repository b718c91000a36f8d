package org.meterhub.app.gateway;

import org.meterhub.engine.gateways.GatewayStatus;
import org.meterhub.engine.gateways.JdbcGatewayStatus;
import org.meterhub.engine.jdbc.SqlDatabase;
import org.meterhub.engine.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a single box's status to its store for the console's Gateways page. A store that is down
 * costs a status report, never the gateway: the next report, 10 s later, replaces it anyway. A private
 * in-memory store has no console to show it, so nothing is written there.
 */
final class GatewayStatusWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayStatusWriter.class);
    private final SqlDatabase db;
    private final JdbcGatewayStatus table;

    private GatewayStatusWriter(SqlDatabase db) {
        this.db = db;
        this.table = db == null ? null : new JdbcGatewayStatus(db);
    }

    static GatewayStatusWriter open(String storeUrl) {
        if (SqlDatabase.isPrivateMemory(storeUrl)) return new GatewayStatusWriter(null);
        try {
            return new GatewayStatusWriter(SqlDatabase.open(storeUrl));
        } catch (StoreException e) {
            log.warn("gateway status is not written to the store: {}", e.getMessage());
            return new GatewayStatusWriter(null);
        }
    }

    void write(GatewayStatus s) {
        if (table == null) return;
        try {
            table.save(s);
        } catch (StoreException e) {
            log.debug("gateway status not written: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (db != null) db.close();
    }
}
