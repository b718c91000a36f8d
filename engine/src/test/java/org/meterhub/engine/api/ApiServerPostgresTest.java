package org.meterhub.engine.api;

import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.PostgresStore;
import org.meterhub.engine.store.TimeSeriesStore;

/** The HTTP API on the head-end store: the real PostgreSQL, a fresh database for this class. */
class ApiServerPostgresTest extends ApiServerContract {
    private PgTestDatabase db;

    @Override
    TimeSeriesStore openStore() {
        db = PgTestDatabase.create();
        return new PostgresStore(db.url());
    }

    @Override
    String url() {
        return db.url();
    }

    @Override
    void dropStore() {
        if (db != null) {
            db.close();
        }
    }
}
