package org.meterhub.engine.api;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.meterhub.engine.consumption.ConsumptionInterval;
import org.meterhub.engine.consumption.IntervalFlag;
import org.meterhub.engine.meter.CustomerClass;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.engine.meter.MeterProfile;
import org.meterhub.engine.meter.MeterRole;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;
import org.meterhub.engine.store.TimeSeriesStore;

/**
 * A small district written identically to any store: an inlet meter and customer meters with
 * quarter-hour intervals over a month boundary in Shanghai, some flagged or estimated, gaps,
 * and every batch sent twice (a gateway retry).
 */
public final class TestFleet {

    public static final Instant START = Instant.parse("2024-01-29T16:00:00Z"); // 2024-01-30 00:00 Shanghai
    public static final Instant END = Instant.parse("2024-02-02T16:00:00Z");   // 2024-02-03 00:00 Shanghai
    public static final String DISTRICT = "D7";
    public static final String INLET = "90000000000001";
    public static final List<String> CUSTOMERS = List.of("30000000000001", "30000000000002", "30000000000003");

    private TestFleet() {
    }

    /** Writes the fleet; returns every interval written (each once). */
    public static List<ConsumptionInterval> write(TimeSeriesStore store) {
        Random random = new Random(7);
        List<Reading> readings = new ArrayList<>();
        List<ConsumptionInterval> intervals = new ArrayList<>();
        List<String> all = new ArrayList<>(CUSTOMERS);
        all.add(INLET);
        for (String meter : all) {
            boolean inlet = meter.equals(INLET);
            store.saveProfile(new MeterProfile(new MeterInfo(meter, Medium.GAS, 0, START, MeterInfo.CJT188_CAPACITY_L),
                    "AMR", inlet ? null : CustomerClass.RESIDENTIAL, "1.5", inlet ? 160_000L : 6_000L,
                    LocalDate.of(2023, 5, 17), DISTRICT, "B" + meter.substring(12),
                    inlet ? MeterRole.DISTRICT_INLET : MeterRole.CUSTOMER));
            long register = 0;
            for (Instant t = START.minus(Duration.ofHours(3)); t.isBefore(END.plus(Duration.ofHours(3)));
                 t = t.plus(Duration.ofMinutes(15))) {
                if (!inlet && random.nextInt(12) == 0) {
                    continue; // gap
                }
                long used = inlet ? 5_000 + random.nextInt(500) : random.nextInt(1_500);
                Set<IntervalFlag> iflags = !inlet && random.nextInt(20) == 0
                        ? EnumSet.of(random.nextBoolean() ? IntervalFlag.ESTIMATED : IntervalFlag.SPREAD) : Set.of();
                intervals.add(new ConsumptionInterval(meter, t, t.plus(Duration.ofMinutes(15)), used, iflags));
                register += used;
                Instant at = t.plus(Duration.ofMinutes(15));
                Set<ReadingFlag> rflags = random.nextInt(15) == 0 ? EnumSet.of(ReadingFlag.LOW_BATTERY) : Set.of();
                readings.add(new Reading(meter, at, at.plusMillis(random.nextInt(2_000)), register,
                        iflags.contains(IntervalFlag.ESTIMATED) ? ReadingSource.ESTIMATED : ReadingSource.CJT188,
                        rflags, 0));
            }
        }
        int batch = 113;
        for (int i = 0; i < Math.max(readings.size(), intervals.size()); i += batch) {
            List<Reading> r = readings.subList(Math.min(i, readings.size()), Math.min(i + batch, readings.size()));
            List<ConsumptionInterval> c = intervals.subList(Math.min(i, intervals.size()),
                    Math.min(i + batch, intervals.size()));
            store.append(r, c);
            store.append(r, c); // replay: nothing changes, rollups included
        }
        return intervals;
    }
}
