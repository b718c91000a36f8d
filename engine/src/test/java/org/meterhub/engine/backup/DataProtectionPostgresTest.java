package org.meterhub.engine.backup;

import java.util.ArrayList;
import java.util.List;
import org.meterhub.engine.store.PgTestDatabase;

class DataProtectionPostgresTest extends DataProtectionContract {
    private final List<PgTestDatabase> databases = new ArrayList<>();

    @Override
    String newStoreUrl() {
        PgTestDatabase pg = PgTestDatabase.create();
        databases.add(pg);
        return pg.url();
    }

    @Override
    String serverUrl() {
        return databases.get(0).url();
    }

    @Override
    void dispose() {
        databases.forEach(PgTestDatabase::close);
        databases.clear();
    }
}
