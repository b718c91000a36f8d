package org.meterhub.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.store.PgTestDatabase;

/** Leases on the real PostgreSQL: exclusive, shared fairly, and taken over when a holder goes. */
class PgAdvisoryLeasesTest {
    static PgTestDatabase db;

    @BeforeAll
    static void create() {
        db = PgTestDatabase.create();
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void twoEnginesSplitThePartitionsAndTheSurvivorTakesAllBack() {
        try (PgAdvisoryLeases a = new PgAdvisoryLeases(db.url(), 8); PgAdvisoryLeases b = new PgAdvisoryLeases(db.url(), 8)) {
            assertThat(a.refresh()).hasSize(8);
            assertThat(b.refresh()).as("all held by a").isEmpty();
            assertThat(a.refresh()).as("a gives up its extras now that two share").hasSize(4);
            Set<Integer> bs = b.refresh();
            assertThat(bs).hasSize(4);
            Set<Integer> union = new HashSet<>(a.refresh());
            assertThat(union).doesNotContainAnyElementsOf(bs);
            union.addAll(bs);
            assertThat(union).hasSize(8);
            assertThat(b.holds(bs.iterator().next())).isTrue();
            a.close(); // the session ends; the server frees its locks as the backend exits
            Set<Integer> taken = b.refresh();
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (taken.size() < 8 && System.nanoTime() < deadline) {
                sleep(100); // engines refresh every 2 s in service; here we only wait for the backend to exit
                taken = b.refresh();
            }
            assertThat(taken).hasSize(8);
        }
    }
}
