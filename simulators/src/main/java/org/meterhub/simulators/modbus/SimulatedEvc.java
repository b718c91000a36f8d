package org.meterhub.simulators.modbus;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.meterhub.protocol.modbus.FieldMeaning;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterField;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.meterhub.protocol.modbus.RegisterProfiles;

/**
 * An electronic volume converter on a commercial gas supply, with the {@code evc-basic} register
 * map. Gas flows in business-hours shape; Vm counts it at line conditions, Vb converts it to base
 * conditions (101.325 kPa, 20 °C) by the ideal-gas ratio. Both registers are whole litres and only
 * grow, so {@link #vbLitres()} is exact ground truth for what a reader can see.
 *
 * <p>Line conditions change slowly, as behind a regulator and underground: the pressure wanders by at
 * most 0.01 kPa a minute within 103.00..103.99 kPa, the gas temperature follows the day between 10.1 and
 * 14.9 °C (warmest mid-afternoon).
 *
 * <p>Fault {@link #driftConversionTemperature}: from then on the converter converts with a temperature that
 * drifts away from the one it reports (a failing conversion channel, a stale compensation), so its Vb
 * parts from Vm·(p/pb)·(Tb/T) computed from its own registers.
 *
 * <p>Thread-safe.
 */
public final class SimulatedEvc {
    private static final int[] HOUR_WEIGHTS = {
        1, 1, 1, 1, 1, 1, 2, 5, 9, 10, 10, 10, 9, 9, 10, 10, 10, 9, 6, 4, 2, 1, 1, 1};
    /** Conversion factor scale: parts per million. */
    private static final long PPM = 1_000_000;

    private final int unit;
    private final Clock clock;
    private final ZoneId zone;
    private final RegisterProfile profile;
    private final long peakLitresPerHour;
    private final Random random;
    private final Map<ModbusFault, Double> faults = new EnumMap<>(ModbusFault.class);
    private long vmL;
    private long vbL;
    private long vmCarryMilliL;
    private long vbCarryMicroL;
    private float flowM3h;
    private int pressureCentiKpa = 10350;
    private int temperatureDeciC = 120;
    private Instant advancedTo;
    /** Drift of the conversion temperature, 0.1 K per hour; 0 when the converter is healthy. */
    private int driftDeciKPerHour;
    private Instant driftSince;

    /**
     * @param peakLitresPerHour flow at the busiest hours, e.g. 30 000 L/h for a restaurant
     */
    public SimulatedEvc(int unit, long initialVmL, long initialVbL, long peakLitresPerHour, Clock clock, ZoneId zone, long seed) {
        this(RegisterProfiles.builtIn("evc-basic"), unit, initialVmL, initialVbL, peakLitresPerHour, clock, zone, seed);
    }

    /**
     * A converter presenting its values through {@code profile} (e.g. volumes as float32, low word first): volumes
     * are encoded as the profile's type holds them (the nearest float for a float volume), the rest by meaning.
     */
    public SimulatedEvc(RegisterProfile profile, int unit, long initialVmL, long initialVbL, long peakLitresPerHour,
                        Clock clock, ZoneId zone, long seed) {
        this.profile = profile;
        this.unit = unit;
        this.vmL = initialVmL;
        this.vbL = initialVbL;
        this.peakLitresPerHour = peakLitresPerHour;
        this.clock = clock;
        this.zone = zone;
        this.random = new Random(seed);
        this.advancedTo = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        this.temperatureDeciC = temperatureOfDay(LocalDateTime.ofInstant(advancedTo, zone));
    }

    public int unit() {
        return unit;
    }

    public RegisterProfile profile() {
        return profile;
    }

    public synchronized void inject(ModbusFault fault, double probability) {
        faults.put(fault, probability);
    }

    public synchronized void clearFaults() {
        faults.clear();
        driftDeciKPerHour = 0;
    }

    /**
     * From now on the temperature the converter converts with drifts away from the one it reports by
     * {@code deciKelvinPerHour} × 0.1 K per hour (positive: it converts as if the gas were warmer, so Vb
     * comes out low). The reported temperature register stays true.
     */
    public synchronized void driftConversionTemperature(int deciKelvinPerHour) {
        advance(clock.instant());
        driftDeciKPerHour = deciKelvinPerHour;
        driftSince = advancedTo;
    }

    /** How far, in 0.1 K, the conversion temperature has drifted from the reported one at {@code at}. */
    public synchronized int conversionTemperatureErrorDeciK(Instant at) {
        if (driftDeciKPerHour == 0 || at.isBefore(driftSince)) return 0;
        return (int) (driftDeciKPerHour * ChronoUnit.SECONDS.between(driftSince, at) / 3600);
    }

    public synchronized boolean shows(ModbusFault fault) {
        Double p = faults.get(fault);
        return p != null && random.nextDouble() < p;
    }

    public synchronized long vbLitres() {
        advance(clock.instant());
        return vbL;
    }

    public synchronized long vmLitres() {
        advance(clock.instant());
        return vmL;
    }

    /** The holding-register image 0..(last address) as the device would answer now (0..12 for evc-basic). */
    public synchronized int[] registers() {
        return image(3);
    }

    /** The image of one function's registers (3 holding, 4 input), from address 0 to its last field. */
    private synchronized int[] image(int function) {
        Instant now = clock.instant();
        advance(now);
        int size = 0;
        for (RegisterField f : profile.fields()) if (f.function() == function) size = Math.max(size, f.lastAddress() + 1);
        int[] regs = new int[size];
        long seconds = shows(ModbusFault.CLOCK_ZERO) ? 0
                : shows(ModbusFault.CLOCK_WRONG) ? now.minus(1, ChronoUnit.DAYS).getEpochSecond() : now.getEpochSecond();
        int status = shows(ModbusFault.LOW_BATTERY) ? 1 : 0;
        for (RegisterField f : profile.fields()) {
            if (f.function() != function) continue;
            int[] words = switch (f.meaning()) {
                case UNCONVERTED_VOLUME -> volume(f, vmL);
                case VOLUME -> volume(f, vbL);
                case FLOW -> RegisterDecoder.encodeFloat(f, flowM3h);
                case PRESSURE -> RegisterDecoder.encodeFloat(f, pressureCentiKpa / 100f);
                case TEMPERATURE -> RegisterDecoder.encodeFloat(f, temperatureDeciC / 10f);
                case STATUS -> RegisterDecoder.encode(f, status);
                case METER_TIME -> RegisterDecoder.encode(f, seconds);
                default -> new int[f.type().words()];
            };
            System.arraycopy(words, 0, regs, f.address(), words.length);
        }
        return regs;
    }

    /** Integer volume registers count litres (evc-basic: 0.001 m3); a float one holds the nearest float to the volume. */
    private static int[] volume(RegisterField f, long litres) {
        return f.type().isFloat() ? RegisterDecoder.encodeVolume(f, litres) : RegisterDecoder.encode(f, litres);
    }

    /** Registers {@code address..address+count-1} of {@code function}, or null when any is outside the map. */
    public int[] registers(int function, int address, int count) {
        int[] all = image(function);
        if (address < 0 || count < 1 || address + count > all.length) return null;
        int[] out = new int[count];
        System.arraycopy(all, address, out, 0, count);
        return out;
    }

    /** Second by second; line conditions drift a little, which moves the conversion factor. */
    private void advance(Instant now) {
        long steps = ChronoUnit.SECONDS.between(advancedTo, now);
        if (steps <= 0) return;
        // coarse steps when far behind (a sped-up clock) keep this cheap; volumes stay exact integers
        long step = Math.max(1, steps / 3600);
        for (long s = 0; s < steps; s += step) {
            long dt = Math.min(step, steps - s);
            LocalDateTime local = LocalDateTime.ofInstant(advancedTo.plusSeconds(s), zone);
            long litresPerHour = peakLitresPerHour * HOUR_WEIGHTS[local.getHour()] / 10;
            long milli = litresPerHour * 1000 * dt / 3600;
            milli = milli / 2 + (long) (random.nextDouble() * milli); // 0.5..1.5 of the mean
            vmCarryMilliL += milli;
            long dVm = vmCarryMilliL / 1000;
            vmCarryMilliL %= 1000;
            vmL += dVm;
            Instant at = advancedTo.plusSeconds(s + dt);
            if (at.getEpochSecond() / 60 != at.minusSeconds(dt).getEpochSecond() / 60) {
                pressureCentiKpa = Math.max(10300, Math.min(10399, pressureCentiKpa + random.nextInt(3) - 1));
            }
            temperatureDeciC = temperatureOfDay(LocalDateTime.ofInstant(at, zone));
            vbCarryMicroL += dVm * conversionPpm(temperatureDeciC + conversionTemperatureErrorDeciK(at));
            vbL += vbCarryMicroL / PPM;
            vbCarryMicroL %= PPM;
            flowM3h = litresPerHour / 1000f;
        }
        advancedTo = advancedTo.plusSeconds(steps);
    }

    /** 12.5 °C ± 2.4 °C over the day, warmest at 15:00 local time; in 0.1 °C. */
    private static int temperatureOfDay(LocalDateTime local) {
        double hours = local.getHour() + local.getMinute() / 60.0 + local.getSecond() / 3600.0;
        return 125 + (int) Math.round(24 * Math.cos(2 * Math.PI * (hours - 15) / 24));
    }

    /**
     * (p / 101.325 kPa) × (293.15 K / (273.15 + T)) in parts per million, in integers: with p in
     * 0.01 kPa and T in 0.1 °C it is p·2·5863·10⁶ / (20265·(5463 + 2T)).
     */
    private long conversionPpm(int conversionDeciC) {
        return (long) pressureCentiKpa * 2 * 5863 * PPM / (20265L * (5463 + 2L * conversionDeciC));
    }

    /** True when the field is a cumulative register; used by tests to check exactness. */
    static boolean cumulative(RegisterField f) {
        return f.meaning() == FieldMeaning.VOLUME || f.meaning() == FieldMeaning.UNCONVERTED_VOLUME;
    }
}
