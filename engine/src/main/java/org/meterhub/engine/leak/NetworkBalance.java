package org.meterhub.engine.leak;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * District balance: the supply meter of a district against the sum of its customer meters,
 * per billing day. The day's imbalance counts only when it exceeds the combined measurement
 * uncertainty of every meter involved, each taken at its accuracy class (±1.5 % for class
 * 1.5). Independent meter errors combine as the root of the sum of squares (GUM); the linear
 * sum (every meter at its worst, in the same direction) is the conservative choice for
 * utilities that want fewer alarms. After {@code days} such days in a row, the monitor reports
 * a leak-or-theft finding with the volume lost (the sum of those days' imbalances).
 */
public final class NetworkBalance {

    public enum Combination { ROOT_SUM_SQUARE, LINEAR }

    /** One meter's volume of the day and its accuracy (percent). */
    public record MeterVolume(long volumeL, BigDecimal accuracyPercent) {
        public MeterVolume {
            Objects.requireNonNull(accuracyPercent, "accuracyPercent");
        }
    }

    /** A district's day: supply in, customers out. */
    public record DistrictDay(String districtId, LocalDate day, MeterVolume supply, List<MeterVolume> customers) {
        public DistrictDay {
            Objects.requireNonNull(districtId, "districtId");
            Objects.requireNonNull(day, "day");
            Objects.requireNonNull(supply, "supply");
            customers = List.copyOf(customers);
        }
    }

    /** The day's balance: imbalance = supply − customers; exceeds when imbalance > uncertainty. */
    public record DayBalance(String districtId, LocalDate day, long supplyL, long customersL, long imbalanceL,
                             long uncertaintyL, boolean exceeds) {
    }

    /** A leak or theft finding: {@code days} days in a row over the uncertainty. */
    public record Finding(String districtId, LocalDate firstDay, LocalDate lastDay, int days, long volumeLostL,
                          long uncertaintyL, String reason) {
    }

    private record Streak(LocalDate lastDay, int days, long lostL, long uncertaintyL, LocalDate firstDay, boolean reported) {
    }

    private final int days;
    private final Combination combination;
    private final Map<String, Streak> streaks = new HashMap<>();

    public NetworkBalance(int days, Combination combination) {
        if (days < 1) throw new IllegalArgumentException("days must be at least 1");
        this.days = days;
        this.combination = Objects.requireNonNull(combination, "combination");
    }

    public static NetworkBalance defaults() {
        return new NetworkBalance(3, Combination.ROOT_SUM_SQUARE);
    }

    /** The balance of one district day, without memory. */
    public DayBalance balance(DistrictDay d) {
        long customers = 0;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal hundred = BigDecimal.valueOf(100);
        BigDecimal supplyU = BigDecimal.valueOf(d.supply().volumeL()).multiply(d.supply().accuracyPercent()).divide(hundred);
        sum = combination == Combination.LINEAR ? supplyU : supplyU.multiply(supplyU);
        for (MeterVolume c : d.customers()) {
            customers += c.volumeL();
            BigDecimal u = BigDecimal.valueOf(c.volumeL()).multiply(c.accuracyPercent()).divide(hundred);
            sum = sum.add(combination == Combination.LINEAR ? u : u.multiply(u));
        }
        BigDecimal u = combination == Combination.LINEAR ? sum : sum.sqrt(MathContext.DECIMAL64);
        long uncertainty = u.setScale(0, RoundingMode.CEILING).longValueExact();
        long imbalance = d.supply().volumeL() - customers;
        return new DayBalance(d.districtId(), d.day(), d.supply().volumeL(), customers, imbalance, uncertainty,
                imbalance > uncertainty);
    }

    /** Feeds the district's next day; a finding when the streak reaches {@code days} (once per streak). */
    public synchronized Optional<Finding> accept(DistrictDay d) {
        DayBalance b = balance(d);
        Streak s = streaks.get(d.districtId());
        if (!b.exceeds()) {
            streaks.remove(d.districtId());
            return Optional.empty();
        }
        boolean continues = s != null && s.lastDay().plusDays(1).equals(d.day());
        Streak next = continues
                ? new Streak(d.day(), s.days() + 1, s.lostL() + b.imbalanceL(), s.uncertaintyL() + b.uncertaintyL(), s.firstDay(), s.reported())
                : new Streak(d.day(), 1, b.imbalanceL(), b.uncertaintyL(), d.day(), false);
        if (next.days() >= days && !next.reported()) {
            streaks.put(d.districtId(), new Streak(next.lastDay(), next.days(), next.lostL(), next.uncertaintyL(), next.firstDay(), true));
            return Optional.of(new Finding(d.districtId(), next.firstDay(), d.day(), next.days(), next.lostL(),
                    next.uncertaintyL(), "supply exceeded the customer meters by " + next.lostL() + " L over "
                    + next.days() + " days (" + next.firstDay() + ".." + d.day() + "), beyond the combined meter uncertainty of "
                    + next.uncertaintyL() + " L: leak or theft"));
        }
        streaks.put(d.districtId(), next);
        return Optional.empty();
    }
}
