package org.meterhub.engine.billing;

import org.meterhub.engine.store.PgTestDatabase;

/** The prepaid statement example on a fresh PostgreSQL database. */
class StatementRunPostgresTest extends StatementRunContract {
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
