package org.meterhub.engine.prepaid;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import org.meterhub.engine.store.PgTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PurchaseCsvTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @Test
    void goodLinesAreReadAndEveryBadLineIsNamed() throws Exception {
        String csv = "purchase_id,meter,time,amount_m3\n"
                + "H-1,30001234567890,2026-11-24T08:00,20.000\n"
                + "H-2,30001234567890,2026-11-24T09:00:00+08:00,5\n"
                + "H-3,3000x,2026-11-24,5\n"
                + "H-4,1,yesterday,5\n"
                + "H-5,1,2026-11-24,5.0001\n"
                + "H-6,1,2026-11-24\n"
                + "\n"
                + "H-7,1,2026-11-25,1.5\n";
        PurchaseCsv.Result r = PurchaseCsv.read(new StringReader(csv), ZONE);
        assertThat(r.purchases()).extracting(Purchase::purchaseId).containsExactly("H-1", "H-2", "H-7");
        assertThat(r.purchases().get(0).time()).isEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(r.purchases().get(2).time()).isEqualTo(Instant.parse("2026-11-24T16:00:00Z"));
        assertThat(r.errors()).hasSize(4);
        assertThat(r.errors().get(0)).startsWith("line 4: meter");
        assertThat(r.errors().get(1)).startsWith("line 5: time");
        assertThat(r.errors().get(2)).startsWith("line 6: amount 5.0001 has more than 3 decimals");
        assertThat(r.errors().get(3)).startsWith("line 7: expected 4 fields");
    }

    @Test
    void aHeaderWithoutAnAmountColumnIsRefused() throws Exception {
        PurchaseCsv.Result r = PurchaseCsv.read(new StringReader("purchase_id,meter,time\nA,1,2026-11-24\n"), ZONE);
        assertThat(r.purchases()).isEmpty();
        assertThat(r.errors()).anyMatch(e -> e.contains("header must name"));
    }

    @Test
    void importingTheSameFileTwiceAddsNothingOnSqlite(@TempDir Path dir) throws Exception {
        roundTrip("jdbc:sqlite:" + dir.resolve("p.db"));
    }

    @Test
    void importingTheSameFileTwiceAddsNothingOnPostgres() throws Exception {
        try (PgTestDatabase db = PgTestDatabase.create()) {
            roundTrip(db.url());
        }
    }

    private static void roundTrip(String url) throws Exception {
        String csv = "purchase_id,meter,time,amount_cny\nA,1,2026-11-24,100.50\nB,2,2026-11-25,0.01\n";
        PurchaseCsv.Result r = PurchaseCsv.read(new StringReader(csv), ZONE);
        try (PurchaseStore store = new PurchaseStore(url)) {
            assertThat(store.addAll(r.purchases())).isEqualTo(2);
            assertThat(store.addAll(r.purchases())).isZero();
            assertThat(store.all()).extracting(p -> p.purchaseId() + ":" + p.amount().toPlainString() + ":" + p.unit())
                    .containsExactly("A:100.50:CNY", "B:0.01:CNY");
        }
    }
}
