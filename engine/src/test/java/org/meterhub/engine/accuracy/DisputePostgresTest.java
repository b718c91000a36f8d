package org.meterhub.engine.accuracy;

import org.meterhub.engine.store.PgTestDatabase;

/** The dispute worked examples on a fresh PostgreSQL database. */
class DisputePostgresTest extends DisputeContract {
    private PgTestDatabase pg;

    @Override
    String url() {
        if (pg == null) pg = PgTestDatabase.create();
        return pg.url();
    }

    @Override
    void dispose() {
        if (pg != null) pg.close();
    }
}
