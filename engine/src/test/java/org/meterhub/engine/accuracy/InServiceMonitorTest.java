package org.meterhub.engine.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meterhub.engine.account.Account;
import org.meterhub.engine.account.AccountState;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
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

    static Instant at(LocalDate d, int hour) {
        return LocalDateTime.of(d, LocalTime.of(hour, 0)).atZone(ZONE).toInstant();
    }
}
