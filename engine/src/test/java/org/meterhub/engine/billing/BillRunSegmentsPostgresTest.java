package org.meterhub.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.meterhub.engine.TestClock;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.PgTestDatabase;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * PostgreSQL sums a page's daily rollups per tariff version and year (UsagePages.segments) and reads the days only
 * where pricing needs them (a tier threshold inside a stretch, an estimate): the bills must be those of the days.
 * Random months (zero days, days without rollups, meters without any, climbs across one or two thresholds inside a
 * stretch, the boiler variant's other thresholds) priced page-wise against the per-account run, which reads days.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BillRunSegmentsPostgresTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final YearMonth NOV = YearMonth.of(2026, 11);
    private static final int ACCOUNTS = 60;

    private PgTestDatabase pg;
    private TimeSeriesStore store;
    private Billing billing;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-15T02:00:00Z"));

    @BeforeAll
    void setUp() {
        pg = PgTestDatabase.create();
        store = StoreFactory.open(pg.url());
        billing = Billing.open(store, pg.url());
        billing.tariffs().load(TestTariffs.book(), clock.instant());
        Random random = new Random(14);
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            String meter = String.format("SM%03d", i);
            String account = String.format("SA%03d", i);
            store.registerMeter(new MeterInfo(meter, Medium.GAS, 0, at(LocalDate.of(2026, 1, 1), 0), MeterInfo.CJT188_CAPACITY_L));
            store.saveAccount(new Account(account, meter, AccountState.IGNITED, CustomerClass.RESIDENTIAL, null,
                    LocalDate.of(2026, 1, 1), clock.instant()));
            if (i % 7 == 3) billing.tariffs().setVariants(account, List.of("boiler"), clock.instant());
            if (i % 11 == 5) continue; // no consumption at all in the period
            long register = 0;
            // a start on 1 Oct (billed earlier: the tariff year's position when the period begins), near a threshold or not
            long start = random.nextInt(4) == 0 ? 0 : 300_000 + random.nextInt(1_700_000);
            int scale = random.nextInt(3);
            for (LocalDate d = LocalDate.of(2026, 10, 1); d.isBefore(LocalDate.of(2026, 11, 15)); d = d.plusDays(1)) {
                boolean before = d.isBefore(LocalDate.of(2026, 10, 15));
                if (before && !d.equals(LocalDate.of(2026, 10, 1))) continue;
                long litres = before ? start : switch (random.nextInt(6)) {
                    case 0 -> 0;
                    case 1 -> -1; // no rollup that day
                    default -> random.nextInt(scale == 0 ? 2_000 : scale == 1 ? 12_000 : 40_000);
                };
                if (litres < 0) continue;
                readings.add(new Reading(meter, at(d, 0), at(d, 0), register, ReadingSource.CJT188, Set.of(), 0));
                readings.add(new Reading(meter, at(d, 1), at(d, 1), register + litres, ReadingSource.CJT188, Set.of(), 0));
                intervals.add(new ConsumptionInterval(meter, at(d, 0), at(d, 1), litres, Set.of()));
                register += litres;
            }
        }
        store.append(readings, intervals);
        // the October bills carry the position into November
        billing.run(clock).run(YearMonth.of(2026, 10), false, false, new BillRun.Listener() { });
    }

    @AfterAll
    void tearDown() {
        if (billing != null) billing.close();
        if (store != null) store.close();
        if (pg != null) pg.close();
    }

    @Test
    void summedStretchesPriceAsTheDays() {
        Map<String, BillRun.Outcome> paged = new TreeMap<>();
        Map<String, BillRun.Outcome> alone = new TreeMap<>();
        BillRun.Report a = billing.run(clock).pageSize(16).run(NOV, true, false, collect(paged));
        BillRun.Report b = billing.run(clock).perAccountQueries().run(NOV, true, false, collect(alone));
        assertThat(paged).hasSize(ACCOUNTS);
        assertThat(paged.keySet()).isEqualTo(alone.keySet());
        paged.forEach((account, o) -> assertThat(o.bill().orElseThrow().lines()).as(account)
                .isEqualTo(alone.get(account).bill().orElseThrow().lines()));
        assertThat(a.newTotal()).isEqualByComparingTo(b.newTotal());
        // the data has both kinds: lines in two tiers of one version (a threshold crossed inside a stretch, days read)
        // and accounts without any consumption
        assertThat(paged.values()).anyMatch(o -> o.bill().orElseThrow().lines().stream()
                .filter(l -> l.kind() == LineKind.USAGE && TestTariffs.V2.equals(l.tariffVersion())).count() > 1);
        assertThat(paged.values()).anyMatch(o -> o.bill().orElseThrow().lines().stream()
                .anyMatch(l -> l.explanation().contains("no consumption in the period")));
    }

    private static BillRun.Listener collect(Map<String, BillRun.Outcome> into) {
        return new BillRun.Listener() {
            @Override
            public void outcome(BillRun.Outcome o) {
                into.put(o.accountId(), o);
            }
        };
    }

    private static Instant at(LocalDate d, int hour) {
        return LocalDateTime.of(d, LocalTime.of(hour, 0)).atZone(ZONE).toInstant();
    }
}
