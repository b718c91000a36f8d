package org.meterhub.engine.accuracy;

import org.junit.jupiter.api.Test;
import org.meterhub.engine.store.PgTestDatabase;

/** The district-residual and check-meter suspects of InServiceMonitorTest on a fresh PostgreSQL database. */
class InServiceMonitorPostgresTest {
    @Test
    void districtResidualsAndCheckMetersPointToTheirMeters() {
        try (PgTestDatabase pg = PgTestDatabase.create()) {
            InServiceMonitorTest.districtAndCheckMeterSuspects(pg.url());
        }
    }
}
