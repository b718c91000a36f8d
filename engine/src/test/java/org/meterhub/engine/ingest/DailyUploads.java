package org.meterhub.engine.ingest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.meterhub.engine.reading.Reading;
import org.meterhub.engine.reading.ReadingFlag;
import org.meterhub.engine.reading.ReadingSource;

/** A household's hourly registers uploaded once a day (NB-IoT), for the ingest tests that send days out of order. */
final class DailyUploads {
    /** Litres in local hour {@code hour} of day {@code day}. */
    interface Litres {
        long at(int day, int hour);
    }

    private DailyUploads() {
    }

    /** A household's own use: from 07:00 to 22:00, nothing at night. */
    static long use(int day, int hour) {
        return hour >= 7 && hour <= 22 ? 3 + (hour * 7L + day * 5L) % 17 : 0;
    }

    /**
     * Day k's upload: the registers at 01:00 .. 24:00 of local day k (day 0 starts at {@code t0}, the register at
     * 100 000 L), received a day later, with {@code flags} of each hour.
     */
    static List<Reading> day(String meter, int k, Instant t0, Litres litres, IntFunction<Set<ReadingFlag>> flags) {
        long register = 100_000;
        for (int d = 0; d < k; d++) for (int h = 0; h < 24; h++) register += litres.at(d, h);
        List<Reading> out = new ArrayList<>();
        for (int h = 0; h < 24; h++) {
            register += litres.at(k, h);
            Instant t = t0.plusSeconds((k * 24L + h + 1) * 3600);
            out.add(new Reading(meter, t, t.plusSeconds(3600 * 24), register, ReadingSource.MQTT, flags.apply(h), 0));
        }
        return out;
    }
}
