package org.meterhub.engine.billing;

import org.meterhub.engine.store.PgTestDatabase;

/** The worked examples on a fresh PostgreSQL database. */
class BillRunPostgresTest extends BillRunContract {
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

    @Override
    int expectedReaders() {
        return Billing.PG_READERS;
    }
}
