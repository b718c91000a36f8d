package org.meterhub.engine.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.StoreFactory;
import org.meterhub.engine.store.TimeSeriesStore;

/** A meter whose register stops in November after using 1 m³ a day in October is a suspect; a vacant-looking one is not. */
class InServiceMonitorTest {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;

    @Test
    void stoppedRegisteringWhileSupplied() {
        try (TimeSeriesStore store = StoreFactory.open("jdbc:sqlite:" + dir.resolve("m.db"))) {
            List<Reading> rs = new ArrayList<>();
            List<ConsumptionInterval> is = new ArrayList<>();
            for (String m : List.of("STOP", "IDLE", "OK")) {
                store.registerMeter(new MeterInfo(m, Medium.GAS, 0, at(LocalDate.of(2026, 1, 1), 0), MeterInfo.CJT188_CAPACITY_L));
                store.saveAccount(new Account("A-" + m, m, AccountState.IGNITED, CustomerClass.RESIDENTIAL, null, LocalDate.of(2026, 1, 1),
                        Instant.parse("2026-01-01T00:00:00Z")));
                long r = 0;
                for (LocalDate d = LocalDate.of(2026, 10, 2); !d.isAfter(LocalDate.of(2026, 11, 30)); d = d.plusDays(1)) {
                    boolean october = d.getMonthValue() == 10;
                    long litres = switch (m) {
                        case "STOP" -> october ? 1_000 : 0;
                        case "IDLE" -> 0;
                        default -> 1_000;
                    };
                    rs.add(new Reading(m, at(d, 0), at(d, 0), r, ReadingSource.CJT188, Set.of(), 0));
                    rs.add(new Reading(m, at(d, 1), at(d, 1), r + litres, ReadingSource.CJT188, Set.of(), 0));
                    is.add(new ConsumptionInterval(m, at(d, 0), at(d, 1), litres, Set.of()));
                    r += litres;
                }
            }
            store.append(rs, is);
            List<InServiceMonitor.Suspect> s = new InServiceMonitor(store).suspects(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 30));
            assertThat(s).extracting(InServiceMonitor.Suspect::meterId).containsExactly("STOP");
            assertThat(s.get(0).evidence()).isEqualTo("register 30.000 m3 unchanged over 2026-11-01..2026-11-30 (60 readings) while the"
                    + " account is supplied; 30.000 m3 used in 2026-10-02..2026-10-31");
        }
    }

    /**
     * District N1: inlet I1 1700 L a day; customers C1 1000, C2 500, C3 100 L a day (1600): 100 L a day
     * lost. Band of a day (root sum of squares at ±1.5 %): 25.5² + 15² + 7.5² + 1.5² = 933.75, √ = 30.56,
     * up to 31 L. Over 2026-11-01..10: residual 1000 L against a band of 310 L, 10 days beyond it.
     * C1 passed 10 000 of 16 000 L (62.5 %): alone it would register -1000 / (10000 + 1000) = -9.091 %;
     * C2 5000 L (31.25 -> 31.3 %): -1000 / 6000 = -16.667 %; C3 (6.3 %) is third, not listed with top 2.
     * District N2 (inlet 1010, customer 1000 L a day: 10 L within its band of 22 L) is not listed.
     * Check meters: CHK-1 1000 L a day in series with M-CHK 970 L: 9.700 against 10.000 m3 = -3.000 %,
     * beyond ±1.5 %; CHK-2 1000 against M-OK 990 L a day: -1.000 %, within.
     */
    @Test
    void districtResidualsAndCheckMetersPointToTheirMeters() {
        districtAndCheckMeterSuspects("jdbc:sqlite:" + dir.resolve("d.db"));
    }

    /** The district and check-meter example on the store at {@code url} (SQLite here, PostgreSQL in InServiceMonitorPostgresTest). */
    static void districtAndCheckMeterSuspects(String url) {
        try (TimeSeriesStore store = StoreFactory.open(url)) {
            List<Reading> rs = new ArrayList<>();
            List<ConsumptionInterval> is = new ArrayList<>();
            Object[][] meters = {{"I1", "N1", MeterRole.DISTRICT_INLET, 1700L}, {"C1", "N1", MeterRole.CUSTOMER, 1000L},
                    {"C2", "N1", MeterRole.CUSTOMER, 500L}, {"C3", "N1", MeterRole.CUSTOMER, 100L}, {"I2", "N2", MeterRole.DISTRICT_INLET, 1010L},
                    {"C4", "N2", MeterRole.CUSTOMER, 1000L}, {"CHK-1", null, MeterRole.CUSTOMER, 1000L}, {"M-CHK", null, MeterRole.CUSTOMER, 970L},
                    {"CHK-2", null, MeterRole.CUSTOMER, 1000L}, {"M-OK", null, MeterRole.CUSTOMER, 990L}};
            for (Object[] m : meters) {
                String id = (String) m[0];
                MeterInfo info = new MeterInfo(id, Medium.GAS, 0, at(LocalDate.of(2026, 1, 1), 0), MeterInfo.CJT188_CAPACITY_L);
                store.registerMeter(info);
                store.saveProfile(new MeterProfile(info, null, null, null, null, null, (String) m[1], null, (MeterRole) m[2]));
                if (id.startsWith("C") && !id.startsWith("CHK") || id.startsWith("M-")) {
                    store.saveAccount(new Account("A-" + id, id, AccountState.IGNITED, CustomerClass.RESIDENTIAL, null, LocalDate.of(2026, 1, 1),
                            Instant.parse("2026-01-01T00:00:00Z")));
                }
                long r = 0;
                long litres = (Long) m[3];
                for (LocalDate d = LocalDate.of(2026, 11, 1); !d.isAfter(LocalDate.of(2026, 11, 10)); d = d.plusDays(1)) {
                    rs.add(new Reading(id, at(d, 0), at(d, 0), r, ReadingSource.CJT188, Set.of(), 0));
                    rs.add(new Reading(id, at(d, 1), at(d, 1), r + litres, ReadingSource.CJT188, Set.of(), 0));
                    is.add(new ConsumptionInterval(id, at(d, 0), at(d, 1), litres, Set.of()));
                    r += litres;
                }
            }
            store.append(rs, is);
            MonitoringRules rules = new MonitoringRules(3, 2, null, Map.of("CHK-1", "M-CHK", "CHK-2", "M-OK"));
            List<InServiceMonitor.Suspect> s = new InServiceMonitor(store).suspects(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 10),
                    AccuracyRules.DEFAULTS, rules);
            assertThat(s).extracting(x -> x.meterId() + " " + x.accountId() + " " + x.kind())
                    .containsExactly("C1 A-C1 DISTRICT_RESIDUAL", "C2 A-C2 DISTRICT_RESIDUAL", "M-CHK A-M-CHK CHECK_METER");
            String district = "district N1: supply exceeded the customer meters by 1.000 m3 over 10 judged days in 2026-11-01..2026-11-10"
                    + " (10 beyond the band), uncertainty band 0.310 m3; ";
            assertThat(s.get(0).evidence()).isEqualTo(district + "rank 1: metered 10.000 m3, 62.5 % of the customers' volume; alone it would"
                    + " have to register -9.091 % (class limit ±1.5 %) to hide the whole residual");
            assertThat(s.get(1).evidence()).isEqualTo(district + "rank 2: metered 5.000 m3, 31.3 % of the customers' volume; alone it would"
                    + " have to register -16.667 % (class limit ±1.5 %) to hide the whole residual");
            assertThat(s.get(2).evidence()).isEqualTo("metered 9.700 m3 against 10.000 m3 on check meter CHK-1 in series, over 10 days with both"
                    + " in 2026-11-01..2026-11-10: -3.000 %, beyond ±1.5 %: under-registers");
            // Loss on fewer days than district-min-days is not persistent: 10 days over the band, 11 needed.
            assertThat(new InServiceMonitor(store).suspects(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 10), AccuracyRules.DEFAULTS,
                    new MonitoringRules(11, 2, new BigDecimal("3.5"), rules.checkMeters()))).isEmpty();
        }
    }

    @Test
    void badMonitoringSettingsAreOneLineErrors() {
        assertThatThrownBy(() -> new MonitoringRules(0, 3, null, Map.of())).hasMessage("district-min-days: expected 1..366, got 0");
        assertThatThrownBy(() -> new MonitoringRules(3, 3, BigDecimal.ZERO, Map.of()))
                .hasMessage("check-limit-percent: expected a number above 0 and at most 20, got 0");
        assertThatThrownBy(() -> new MonitoringRules(3, 3, null, Map.of("X", "X"))).hasMessage("check-meters: X cannot check itself");
    }

    static Instant at(LocalDate d, int hour) {
        return LocalDateTime.of(d, LocalTime.of(hour, 0)).atZone(ZONE).toInstant();
    }
}
