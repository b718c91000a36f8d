package org.meterhub.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.ingest.IngestPipeline;
import org.meterhub.engine.ingest.StoreFailure;
import org.meterhub.engine.ingest.StoreHealth;
import org.meterhub.engine.ingest.StoreRetry;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.MeterStore;
import org.meterhub.engine.store.StoreException;
import org.meterhub.engine.store.StoreFactory;

/** Issue 21: a store failure is a state (retried with backoff, one alarm), a refusal for good is set aside. */
class BatchCommitterStoreFailureTest {
    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");

    private static ReadingBatch batch(long firstSeq, long... volumes) {
        List<BatchEntry> entries = new ArrayList<>();
        for (int i = 0; i < volumes.length; i++) {
            Instant t = T0.plus(Duration.ofHours(firstSeq + i));
            entries.add(new BatchEntry(firstSeq + i, new Reading("M1", t, t, volumes[i], ReadingSource.CJT188, Set.of(), 0)));
        }
        return ReadingBatch.of("gw-1", 0, T0, entries);
    }

    private static long consumed(MeterStore store) {
        return store.intervals("M1", T0.minusSeconds(3600), T0.plus(Duration.ofDays(30))).stream()
                .mapToLong(ConsumptionInterval::volumeL).sum();
    }

    @Test
    void aReadingTheStoreRefusesForGoodIsNamedInTheAckAndTheRestIsCommitted(@TempDir Path dir) throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("store.db");
        try (MeterStore store = StoreFactory.open(url)) {
            store.registerMeter(new MeterInfo("M1", Medium.GAS, 0, T0.minusSeconds(3600), MeterInfo.CJT188_CAPACITY_L));
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                // A real refusal by the database (SQLITE_CONSTRAINT), as a check or bad data would give.
                s.execute("create trigger refuse_3000 before insert on readings when new.volume_l = 3000"
                        + " begin select raise(abort, 'refused by the test''s trigger'); end");
            }
            StoreHealth health = new StoreHealth("test store", Clock.systemUTC());
            try (BatchCommitter committer = new BatchCommitter(() -> IngestPipeline.withDefaults(store),
                    new StoreRetry(Duration.ofMillis(50), Duration.ofMillis(200)), health)) {
                BatchAck ack = committer.commit(batch(1, 1000, 2000, 3000, 4000, 5000));
                assertThat(ack.rejected()).containsOnlyKeys(3L);
                assertThat(ack.rejected().get(3L)).contains("refused by the test's trigger");
                assertThat(ack.count()).isEqualTo(5);
                assertThat(health.rejected()).isEqualTo(1);
                assertThat(health.down()).as("a refusal for good does not make the store DOWN").isFalse();
                assertThat(store.readings("M1", T0, T0.plus(Duration.ofDays(1))).stream().map(Reading::volumeL))
                        .containsExactly(1000L, 2000L, 4000L, 5000L);
                assertThat(consumed(store)).as("consumption spans the refused reading").isEqualTo(5000);

                BatchAck next = committer.commit(batch(6, 6000, 7000));
                assertThat(next.rejected()).isEmpty();
                assertThat(consumed(store)).isEqualTo(7000);
            }
        }
    }

    @Test
    void aStoreThatIsDownIsRetriedWithBackoffOneAlarmAndResumesWithoutDoubling(@TempDir Path dir) throws Exception {
        try (MeterStore real = StoreFactory.open("jdbc:sqlite:" + dir.resolve("store.db"))) {
            real.registerMeter(new MeterInfo("M1", Medium.GAS, 0, T0.minusSeconds(3600), MeterInfo.CJT188_CAPACITY_L));
            AtomicBoolean down = new AtomicBoolean();
            AtomicInteger appends = new AtomicInteger();
            MeterStore store = (MeterStore) Proxy.newProxyInstance(MeterStore.class.getClassLoader(),
                    new Class<?>[] {MeterStore.class}, (proxy, m, args) -> {
                        if (m.getName().equals("append")) {
                            appends.incrementAndGet();
                            if (down.get()) {
                                throw new StoreException("append failed", new SQLException("Connection refused", "08001"));
                            }
                        }
                        try {
                            return m.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            StoreHealth health = new StoreHealth("test store", Clock.systemUTC());
            try (BatchCommitter committer = new BatchCommitter(() -> IngestPipeline.withDefaults(store),
                    new StoreRetry(Duration.ofMillis(100), Duration.ofMillis(400)), health)) {
                committer.commit(batch(1, 1000, 2000));
                down.set(true);
                assertThatThrownBy(() -> committer.commit(batch(3, 3000, 4000))).isInstanceOf(IllegalStateException.class);
                assertThat(health.down()).isTrue();
                assertThat(health.status()).startsWith("store: DOWN since ");
                assertThat(committer.ready()).as("waiting out the backoff").isFalse();
                int tried = appends.get();
                assertThatThrownBy(() -> committer.commit(batch(3, 3000, 4000)))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("next attempt in");
                assertThat(appends.get()).as("no store call during the backoff").isEqualTo(tried);
                for (int i = 0; i < 3; i++) {
                    while (!committer.ready()) Thread.sleep(10);
                    assertThatThrownBy(() -> committer.commit(batch(3, 3000, 4000))).isInstanceOf(IllegalStateException.class);
                }
                assertThat(health.failures()).isEqualTo(4);
                assertThat(health.alarms()).as("one alarm for one outage").isEqualTo(1);
                assertThat(StoreFailure.of(new IllegalStateException("x", new StoreException("y",
                        new SQLException("refused", "08001"))))).isEqualTo(StoreFailure.TRANSIENT);

                down.set(false);
                while (!committer.ready()) Thread.sleep(10);
                BatchAck ack = committer.commit(batch(3, 3000, 4000));
                assertThat(ack.rejected()).isEmpty();
                assertThat(health.down()).isFalse();
                assertThat(health.lastOutage()).isNotNull();
                committer.commit(batch(3, 3000, 4000)); // a replay changes nothing
                assertThat(real.readings("M1", T0, T0.plus(Duration.ofDays(1))).stream().map(Reading::volumeL))
                        .containsExactly(1000L, 2000L, 3000L, 4000L);
                assertThat(consumed(real)).isEqualTo(4000);
            }
        }
    }

    @Test
    void sqlStatesSayWhatPassesAndWhatDoesNot() {
        for (String transientState : List.of("08006", "08001", "57P01", "53300", "40001", "40P01", "55P03")) {
            assertThat(StoreFailure.of(new SQLException("x", transientState))).as(transientState).isEqualTo(StoreFailure.TRANSIENT);
        }
        for (String permanent : List.of("23505", "23514", "22003", "22P02")) {
            assertThat(StoreFailure.of(new SQLException("x", permanent))).as(permanent).isEqualTo(StoreFailure.PERMANENT);
        }
        assertThat(StoreFailure.of(new IllegalArgumentException("time outside the storable range")))
                .isEqualTo(StoreFailure.PERMANENT);
        assertThat(StoreFailure.of(new IllegalStateException("ingest pipeline is closed"))).isEqualTo(StoreFailure.TRANSIENT);
    }
}
