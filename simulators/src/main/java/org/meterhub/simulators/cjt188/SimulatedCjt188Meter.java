package org.meterhub.simulators.cjt188;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.meterhub.protocol.cjt188.Cjt188Di;
import org.meterhub.protocol.cjt188.Cjt188Message;
import org.meterhub.protocol.cjt188.ErrorReply;
import org.meterhub.protocol.cjt188.GasWaterCurrentData;
import org.meterhub.protocol.cjt188.MeterAddress;
import org.meterhub.protocol.cjt188.MeterClock;
import org.meterhub.protocol.cjt188.MeterStatus;
import org.meterhub.protocol.cjt188.MeterType;
import org.meterhub.protocol.cjt188.MonthlyHistory;
import org.meterhub.protocol.cjt188.Quantity;
import org.meterhub.protocol.cjt188.ReadDataRequest;
import org.meterhub.protocol.cjt188.Unit;
import org.meterhub.protocol.cjt188.WriteDataReply;
import org.meterhub.protocol.cjt188.WriteValveRequest;
import org.meterhub.simulators.usage.UsageProfile;

/**
 * A CJ/T 188 household gas (or water) meter. Its register moves in the mechanism's real steps
 * of 0.01 m³ (10 L), so what it registered is exactly what a reader can see: the ground truth
 * for end-to-end tests is {@link #deliveredLitres()}.
 *
 * <p>Like a real meter it stores its register at the start of its settlement day each month (day 1
 * unless {@link #settlementDay(int)} says otherwise) and answers D120..D12B (1..12 settlements ago) and
 * the settlement field of 901F from that record. Before the simulation started the register stood still
 * at its initial value, so settlements before then read as that value.
 *
 * <p>Thread-safe: the bus and the test harness may both look at it.
 */
public final class SimulatedCjt188Meter {
    private static final int DI_CURRENT_DATA = 0x901F;
    private static final long STEP_L = 10;

    private final MeterAddress address;
    private final int typeCode;
    private long initialRegisterL;
    private final Clock clock;
    private final ZoneId zone;
    private final UsageProfile profile;
    private final Random random;
    private final Map<MeterFault, Double> faults = new EnumMap<>(MeterFault.class);
    private long registerL;
    private long carryMilliL;
    private Instant advancedTo;
    private boolean valveClosed;
    private long currentDataReads;
    /** Litres the register moves before each current-data reply (flow between two reads); 0 for none. */
    private long movePerReadL;
    private int settlementDay = 1;
    /** Where the simulation (or its last {@link #resumeAt}) started: settlements before it read as the initial register. */
    private Instant startedAt;
    /** The register at each settlement instant passed since {@link #startedAt}. */
    private final TreeMap<YearMonth, Long> settlements = new TreeMap<>();
    /** Clean current-data replies sent, when recording (tests: "every reply the meter answered is stored once"). */
    private java.util.List<Answer> answers;

    /** One clean current-data reply: the meter's clock (whole seconds) and the register it reported. */
    public record Answer(Instant meterTime, long registerL) {
    }

    public SimulatedCjt188Meter(MeterAddress address, int typeCode, long initialRegisterL, Clock clock, ZoneId zone,
                                UsageProfile profile, long seed) {
        if (initialRegisterL % STEP_L != 0) throw new IllegalArgumentException("register moves in 10 L steps");
        this.address = address;
        this.typeCode = typeCode;
        this.initialRegisterL = initialRegisterL;
        this.registerL = initialRegisterL;
        this.clock = clock;
        this.zone = zone;
        this.profile = profile;
        this.random = new Random(seed);
        this.advancedTo = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        this.startedAt = advancedTo;
    }

    public static SimulatedCjt188Meter gas(MeterAddress address, long initialRegisterL, Clock clock, ZoneId zone,
                                           UsageProfile profile, long seed) {
        return new SimulatedCjt188Meter(address, MeterType.GAS.code(), initialRegisterL, clock, zone, profile, seed);
    }

    public MeterAddress address() {
        return address;
    }

    public int typeCode() {
        return typeCode;
    }

    public long initialRegisterL() {
        return initialRegisterL;
    }

    /** Continues a meter from a register value known from an earlier run; the run's count starts there. */
    public synchronized void resumeAt(long registerValueL) {
        if (registerValueL % STEP_L != 0 || registerValueL < 0) {
            throw new IllegalArgumentException("register moves in 10 L steps: " + registerValueL);
        }
        advancedTo = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        registerL = registerValueL;
        initialRegisterL = registerValueL;
        carryMilliL = 0;
        startedAt = advancedTo;
        settlements.clear();
    }

    /**
     * Sets the day of month (1..28) at whose start the meter stores its settlement register. Set it before time
     * passes a settlement: instants already passed keep the day they were recorded under.
     */
    public synchronized SimulatedCjt188Meter settlementDay(int day) {
        if (day < 1 || day > 28) throw new IllegalArgumentException("settlement day must be 1..28, got " + day);
        advance(clock.instant());
        this.settlementDay = day;
        return this;
    }

    public synchronized int settlementDay() {
        return settlementDay;
    }

    /** The instant the meter settles in {@code month}: 00:00 of its settlement day in its zone. */
    public synchronized Instant settlementInstant(YearMonth month) {
        return month.atDay(settlementDay).atStartOfDay(zone).toInstant();
    }

    /**
     * The register the meter stored at {@code month}'s settlement instant (ground truth for tests); empty when
     * that instant has not come yet.
     */
    public synchronized Optional<Long> settlementRegisterL(YearMonth month) {
        advance(clock.instant());
        Instant at = settlementInstant(month);
        if (at.isBefore(startedAt)) return Optional.of(initialRegisterL);
        return Optional.ofNullable(settlements.get(month));
    }

    /** The month of the latest settlement instant at or before {@code now}. */
    private YearMonth latestSettlement(Instant now) {
        YearMonth month = YearMonth.from(now.atZone(zone));
        return settlementInstant(month).isAfter(now) ? month.minusMonths(1) : month;
    }

    /** Shows {@code fault} on each request with the given probability (0..1). */
    public synchronized void inject(MeterFault fault, double probability) {
        faults.put(fault, probability);
    }

    public synchronized void clearFaults() {
        faults.clear();
    }

    /** True, by chance, when the fault is injected; decided per request. */
    public synchronized boolean shows(MeterFault fault) {
        Double p = faults.get(fault);
        return p != null && random.nextDouble() < p;
    }

    /**
     * From now on the register moves by {@code litres} (a multiple of the 10 L step) before every current-data
     * reply: a meter with gas flowing, read twice in quick succession, never shows the same register twice. One
     * step per read is flow a confirmation accepts; a jump of many m³ per read is more than any Qmax allows.
     */
    public synchronized SimulatedCjt188Meter moveOnEachRead(long litres) {
        if (litres < 0 || litres % STEP_L != 0) throw new IllegalArgumentException("register moves in 10 L steps: " + litres);
        this.movePerReadL = litres;
        return this;
    }

    /** From now on, keeps every clean current-data reply (no fault shown); off by default, so long runs stay bounded. */
    public synchronized SimulatedCjt188Meter recordAnswers() {
        if (answers == null) answers = new java.util.ArrayList<>();
        return this;
    }

    /** The clean current-data replies since {@link #recordAnswers()}, in order. */
    public synchronized java.util.List<Answer> answers() {
        return answers == null ? java.util.List.of() : java.util.List.copyOf(answers);
    }

    public synchronized long registerL() {
        advance(clock.instant());
        return registerL;
    }

    /** Gas that passed the meter since the simulation started, as its register shows it. */
    public synchronized long deliveredLitres() {
        return registerL() - initialRegisterL;
    }

    /** Current-data reads this meter answered: a test can wait for the gateway to have polled it N more times. */
    public synchronized long currentDataReads() {
        return currentDataReads;
    }

    public synchronized boolean valveClosed() {
        return valveClosed;
    }

    /** The meter's answer to a request addressed to it; empty when it is not addressed or keeps silent. */
    public synchronized Optional<Cjt188Message> answer(Cjt188Message request) {
        if (!addressed(request)) return Optional.empty();
        if (request instanceof ReadDataRequest read && read.di() == DI_CURRENT_DATA) {
            currentDataReads++;
            registerL += movePerReadL;
            return Optional.of(currentData(read));
        }
        if (request instanceof ReadDataRequest read && Cjt188Di.isHistory(read.di())) {
            if (shows(MeterFault.HISTORY_SILENT)) return Optional.empty();
            if (shows(MeterFault.HISTORY_ERROR)) {
                return Optional.of(new ErrorReply(typeCode, address, 0xC1, read.ser(), status().bits()));
            }
            return Optional.of(history(read));
        }
        if (request instanceof WriteValveRequest valve) {
            advance(clock.instant());
            valveClosed = valve.close();
            return Optional.of(new WriteDataReply(typeCode, address, 0xA017, valve.ser(), valve.diOrder(), status().bits()));
        }
        return Optional.empty();
    }

    private boolean addressed(Cjt188Message request) {
        boolean typeOk = request.meterTypeCode() == typeCode || request.meterTypeCode() == MeterType.ANY.code();
        boolean addressOk = request.address().equals(address) || request.address().equals(MeterAddress.WILDCARD);
        return typeOk && addressOk;
    }

    private GasWaterCurrentData currentData(ReadDataRequest read) {
        Instant now = clock.instant();
        advance(now);
        LocalDateTime local = LocalDateTime.ofInstant(now, zone).truncatedTo(ChronoUnit.SECONDS);
        MeterClock meterClock;
        if (shows(MeterFault.CLOCK_ZERO)) {
            meterClock = new MeterClock(new byte[7], null);
        } else if (shows(MeterFault.CLOCK_WRONG)) {
            meterClock = MeterClock.of(local.minusDays(1));
        } else {
            meterClock = MeterClock.of(local);
        }
        MeterAddress replyAddress = shows(MeterFault.WRONG_ADDRESS) ? neighbour() : address;
        if (answers != null && faults.isEmpty()) answers.add(new Answer(local.atZone(zone).toInstant(), registerL));
        return new GasWaterCurrentData(typeCode, replyAddress, read.ser(), read.diOrder(),
                m3(registerL), m3(settlementRegisterL(latestSettlement(now)).orElseThrow()), meterClock, status());
    }

    private MonthlyHistory history(ReadDataRequest read) {
        Instant now = clock.instant();
        advance(now);
        int monthsAgo = read.di() - Cjt188Di.HISTORY_FIRST + 1;
        YearMonth month = latestSettlement(now).minusMonths(monthsAgo - 1L);
        MeterAddress replyAddress = shows(MeterFault.WRONG_ADDRESS) ? neighbour() : address;
        return MonthlyHistory.of(typeCode, replyAddress, monthsAgo, read.ser(), read.diOrder(),
                m3(settlementRegisterL(month).orElseThrow()));
    }

    private MeterStatus status() {
        int st0 = (valveClosed ? 1 : 0) | (shows(MeterFault.LOW_BATTERY) ? 4 : 0);
        return new MeterStatus(st0, 0);
    }

    private MeterAddress neighbour() {
        String d = address.digits();
        char last = d.charAt(d.length() - 1);
        return MeterAddress.of(d.substring(0, d.length() - 1) + (last == '9' ? '0' : (char) (last + 1)));
    }

    private static Quantity m3(long litres) {
        return new Quantity(BigDecimal.valueOf(litres, 3).setScale(2), Unit.M3);
    }

    /** Runs the usage model minute by minute up to {@code now}; a closed valve passes no gas. */
    private void advance(Instant now) {
        while (!advancedTo.plus(1, ChronoUnit.MINUTES).isAfter(now)) {
            recordSettlement();
            if (!valveClosed) {
                long expected = profile.expectedMilliLitresPerMinute(LocalDateTime.ofInstant(advancedTo, zone));
                // between 0 and twice the mean: bursty like real burners, right on average
                carryMilliL += (long) (expected * 2 * random.nextDouble());
                while (carryMilliL >= STEP_L * 1000) {
                    carryMilliL -= STEP_L * 1000;
                    registerL += STEP_L;
                }
            }
            advancedTo = advancedTo.plus(1, ChronoUnit.MINUTES);
        }
        if (!advancedTo.isAfter(now)) recordSettlement();
    }

    /** At the start of the settlement day the meter keeps its register, before the minute's gas passes. */
    private void recordSettlement() {
        LocalDateTime local = LocalDateTime.ofInstant(advancedTo, zone);
        if (local.getDayOfMonth() == settlementDay && local.getHour() == 0 && local.getMinute() == 0) {
            settlements.putIfAbsent(YearMonth.from(local), registerL);
            // a meter keeps 12 months (D120..D12B); twice that bounds a simulation that runs for years
            while (settlements.size() > 24) settlements.pollFirstEntry();
        }
    }
}
