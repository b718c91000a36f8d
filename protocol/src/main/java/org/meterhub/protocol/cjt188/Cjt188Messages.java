package org.meterhub.protocol.cjt188;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Frame ↔ message. Decoding picks the record by control code, DI and (for 901F) meter type; a valid
 * frame that matches none becomes {@link UnknownData}. A frame that matches a layout but does not fit
 * it (wrong length, a non-BCD digit, an unknown unit) is an error, not UnknownData: it means the meter
 * or the line is broken, and silently passing it on would hide that.
 *
 * <p>DIs are accepted in both byte orders; see {@link Cjt188Di}.
 */
public final class Cjt188Messages {

    /** DI + SER. */
    private static final int DI_SER = 3;
    /** C of every read-data reply; the DI (and for 901F the meter type) picks the layout. */
    private static final int READ_DATA_REPLY = 0x81;

    private Cjt188Messages() {
    }

    /** As {@link #decode(Cjt188Frame, DiOrder)}, reading unknown DIs high byte first. */
    public static Cjt188Message decode(Cjt188Frame frame) throws Cjt188Exception {
        return decode(frame, DiOrder.HIGH_FIRST, BodyReader.FieldSink.NONE);
    }

    /**
     * @param orderForUnknownDi how to read a DI that is not in {@link Cjt188Di}'s table in either order;
     *     pass the meter's configured order when known
     */
    public static Cjt188Message decode(Cjt188Frame frame, DiOrder orderForUnknownDi) throws Cjt188Exception {
        return decode(frame, orderForUnknownDi, BodyReader.FieldSink.NONE);
    }

    static Cjt188Message decode(Cjt188Frame frame, DiOrder orderForUnknownDi, BodyReader.FieldSink sink)
            throws Cjt188Exception {
        BodyReader r = new BodyReader(frame.data(), sink);
        int type = frame.meterType();
        MeterAddress address = frame.address();
        if (frame.errorReply()) {
            r.requireLength(ErrorReply.DATA_LENGTH, "error reply (SER, ST0, ST1)");
            int ser = r.ser();
            MeterStatus st = r.status("ST");
            return new ErrorReply(type, address, frame.control(), ser, st.bits());
        }
        if (r.length() < 2) {
            throw new Cjt188Exception("data field has " + r.length() + " bytes, too short for the 2-byte DI");
        }
        Cjt188Di.Read di = r.di(orderForUnknownDi);
        Optional<Cjt188Message> typed = decodeTyped(frame, di, r);
        if (typed.isPresent()) {
            return typed.get();
        }
        return new UnknownData(type, address, frame.control(), di.di(), di.order(), r.rest("body"));
    }

    private static Optional<Cjt188Message> decodeTyped(Cjt188Frame frame, Cjt188Di.Read di, BodyReader r)
            throws Cjt188Exception {
        int type = frame.meterType();
        MeterAddress a = frame.address();
        DiOrder order = di.order();
        switch (frame.control()) {
            case ReadDataRequest.CONTROL:
                r.requireLength(DI_SER, "read-data request (DI, SER)");
                return Optional.of(new ReadDataRequest(type, a, di.di(), r.ser(), order));
            case ReadAddressRequest.CONTROL:
                r.requireLength(DI_SER, "read-address request (DI, SER)");
                return Optional.of(new ReadAddressRequest(type, a, di.di(), r.ser(), order));
            case ReadAddressReply.CONTROL:
                r.requireLength(DI_SER, "read-address reply (DI, SER)");
                return Optional.of(new ReadAddressReply(type, a, di.di(), r.ser(), order));
            case WriteValveRequest.CONTROL:
                return di.di() == WriteValveRequest.DI ? Optional.of(valve(frame, order, r)) : Optional.empty();
            case WriteDataReply.CONTROL:
                return Optional.of(writeReply(frame, di, r));
            case READ_DATA_REPLY:
                return readReply(frame, di, r);
            default:
                return Optional.empty();
        }
    }

    private static Cjt188Message valve(Cjt188Frame f, DiOrder order, BodyReader r) throws Cjt188Exception {
        r.requireLength(DI_SER + 1, "valve control A017 (DI, SER, command)");
        int ser = r.ser();
        int command = r.u8("valve command", v -> v == WriteValveRequest.CLOSE ? "close" : v == WriteValveRequest.OPEN ? "open" : "invalid");
        if (command != WriteValveRequest.CLOSE && command != WriteValveRequest.OPEN) {
            throw new Cjt188Exception("valve command " + Hex.byteValue(command) + " is neither 0x55 (open) nor 0x99 (close)");
        }
        return new WriteValveRequest(f.meterType(), f.address(), ser, command == WriteValveRequest.CLOSE, order);
    }

    private static Cjt188Message writeReply(Cjt188Frame f, Cjt188Di.Read di, BodyReader r) throws Cjt188Exception {
        if (r.length() != DI_SER) {
            r.requireLength(DI_SER + 2, "write-data reply (DI, SER, optional ST0 ST1)");
        }
        int ser = r.ser();
        int status = r.length() == DI_SER ? WriteDataReply.NO_STATUS : r.status("ST").bits();
        return new WriteDataReply(f.meterType(), f.address(), di.di(), ser, di.order(), status);
    }

    private static Optional<Cjt188Message> readReply(Cjt188Frame f, Cjt188Di.Read di, BodyReader r)
            throws Cjt188Exception {
        int type = f.meterType();
        MeterAddress a = f.address();
        DiOrder order = di.order();
        if (di.di() == Cjt188Di.CURRENT_DATA && GasWaterCurrentData.carriesThisLayout(type)) {
            r.requireLength(DI_SER + GasWaterCurrentData.BODY_LENGTH, "901F water/gas reply");
            int ser = r.ser();
            Quantity current = r.quantity("current cumulative", GasWaterCurrentData.DECIMALS);
            Quantity settlement = r.quantity("settlement-day cumulative", GasWaterCurrentData.DECIMALS);
            MeterClock clock = r.clock("meter time");
            MeterStatus status = r.status("ST");
            return Optional.of(new GasWaterCurrentData(type, a, ser, order, current, settlement, clock, status));
        }
        if (di.di() == Cjt188Di.CURRENT_DATA && HeatCurrentData.carriesThisLayout(type)) {
            r.requireLength(DI_SER + HeatCurrentData.BODY_LENGTH, "901F heat reply");
            int ser = r.ser();
            Quantity settlementHeat = r.quantity("settlement-day heat", HeatCurrentData.DECIMALS);
            Quantity currentHeat = r.quantity("current heat", HeatCurrentData.DECIMALS);
            Quantity power = r.quantity("heat power", HeatCurrentData.DECIMALS);
            Quantity flow = r.quantity("flow", HeatCurrentData.FLOW_DECIMALS);
            Quantity cumulativeFlow = r.quantity("cumulative flow", HeatCurrentData.DECIMALS);
            BigDecimal supply = r.decimal("supply temperature", HeatCurrentData.TEMPERATURE_BYTES, HeatCurrentData.DECIMALS, "°C");
            BigDecimal ret = r.decimal("return temperature", HeatCurrentData.TEMPERATURE_BYTES, HeatCurrentData.DECIMALS, "°C");
            int hours = (int) r.integer("working hours", HeatCurrentData.HOURS_BYTES, "h");
            MeterClock clock = r.clock("meter time");
            MeterStatus status = r.status("ST");
            return Optional.of(new HeatCurrentData(type, a, ser, order, settlementHeat, currentHeat, power, flow,
                    cumulativeFlow, supply, ret, hours, clock, status));
        }
        if (di.di() == Cjt188Di.METER_TIME) {
            r.requireLength(DI_SER + MeterTimeReply.BODY_LENGTH, "907F meter-time reply");
            int ser = r.ser();
            return Optional.of(new MeterTimeReply(type, a, ser, order, r.clock("meter time")));
        }
        if (Cjt188Di.isHistory(di.di())) {
            r.requireLength(DI_SER + MonthlyHistory.BODY_LENGTH, Hex.di(di.di()) + " history reply");
            int ser = r.ser();
            int months = di.di() - Cjt188Di.HISTORY_FIRST + 1;
            Quantity cumulative = r.quantity("cumulative " + months + " months ago", MonthlyHistory.DECIMALS);
            return Optional.of(new MonthlyHistory(type, a, di.di(), ser, order, months, cumulative));
        }
        if (di.di() == Cjt188Di.PURCHASE_AMOUNT) {
            r.requireLength(DI_SER + PurchaseAmount.BODY_LENGTH, "8105 purchase-amount reply");
            int ser = r.ser();
            int sequence = r.u8("purchase sequence", v -> "purchase number " + v);
            BigDecimal amount = r.decimal("purchase amount", PurchaseAmount.AMOUNT_BYTES, PurchaseAmount.DECIMALS, "yuan");
            return Optional.of(new PurchaseAmount(type, a, ser, order, sequence, amount));
        }
        return Optional.empty();
    }

    /** Uses the message's own DI order. */
    public static Cjt188Frame encode(Cjt188Message message) {
        int type = message.meterTypeCode();
        MeterAddress a = message.address();
        BodyWriter w = new BodyWriter();
        if (message instanceof ReadDataRequest m) {
            return frame(type, a, ReadDataRequest.CONTROL, w.di(m.di(), m.diOrder()).u8(m.ser()));
        } else if (message instanceof ReadAddressRequest m) {
            return frame(type, a, ReadAddressRequest.CONTROL, w.di(m.di(), m.diOrder()).u8(m.ser()));
        } else if (message instanceof ReadAddressReply m) {
            return frame(type, a, ReadAddressReply.CONTROL, w.di(m.di(), m.diOrder()).u8(m.ser()));
        } else if (message instanceof WriteValveRequest m) {
            w.di(WriteValveRequest.DI, m.diOrder()).u8(m.ser()).u8(m.close() ? WriteValveRequest.CLOSE : WriteValveRequest.OPEN);
            return frame(type, a, WriteValveRequest.CONTROL, w);
        } else if (message instanceof WriteDataReply m) {
            w.di(m.di(), m.diOrder()).u8(m.ser());
            if (m.hasStatus()) {
                w.u16LowFirst(m.status());
            }
            return frame(type, a, WriteDataReply.CONTROL, w);
        } else if (message instanceof GasWaterCurrentData m) {
            w.di(GasWaterCurrentData.DI, m.diOrder()).u8(m.ser())
                    .quantity(m.current(), GasWaterCurrentData.DECIMALS)
                    .quantity(m.settlement(), GasWaterCurrentData.DECIMALS)
                    .clock(m.clock()).status(m.status());
            return frame(type, a, GasWaterCurrentData.CONTROL, w);
        } else if (message instanceof HeatCurrentData m) {
            w.di(HeatCurrentData.DI, m.diOrder()).u8(m.ser())
                    .quantity(m.settlementHeat(), HeatCurrentData.DECIMALS)
                    .quantity(m.currentHeat(), HeatCurrentData.DECIMALS)
                    .quantity(m.heatPower(), HeatCurrentData.DECIMALS)
                    .quantity(m.flow(), HeatCurrentData.FLOW_DECIMALS)
                    .quantity(m.cumulativeFlow(), HeatCurrentData.DECIMALS)
                    .decimal(m.supplyTemperature(), HeatCurrentData.TEMPERATURE_BYTES, HeatCurrentData.DECIMALS)
                    .decimal(m.returnTemperature(), HeatCurrentData.TEMPERATURE_BYTES, HeatCurrentData.DECIMALS)
                    .bcd(m.workingHours(), HeatCurrentData.HOURS_BYTES)
                    .clock(m.clock()).status(m.status());
            return frame(type, a, HeatCurrentData.CONTROL, w);
        } else if (message instanceof MonthlyHistory m) {
            w.di(m.di(), m.diOrder()).u8(m.ser()).quantity(m.cumulative(), MonthlyHistory.DECIMALS);
            return frame(type, a, MonthlyHistory.CONTROL, w);
        } else if (message instanceof MeterTimeReply m) {
            w.di(MeterTimeReply.DI, m.diOrder()).u8(m.ser()).clock(m.clock());
            return frame(type, a, MeterTimeReply.CONTROL, w);
        } else if (message instanceof PurchaseAmount m) {
            w.di(PurchaseAmount.DI, m.diOrder()).u8(m.ser()).u8(m.purchaseSequence())
                    .decimal(m.amount(), PurchaseAmount.AMOUNT_BYTES, PurchaseAmount.DECIMALS);
            return frame(type, a, PurchaseAmount.CONTROL, w);
        } else if (message instanceof ErrorReply m) {
            w.u8(m.ser()).u16LowFirst(m.errorStatus());
            return frame(type, a, m.control(), w);
        } else if (message instanceof UnknownData m) {
            w.di(m.di(), m.diOrder()).bytes(m.body());
            return frame(type, a, m.control(), w);
        }
        throw new AssertionError("unhandled message kind " + message.getClass());
    }

    private static Cjt188Frame frame(int type, MeterAddress address, int control, BodyWriter body) {
        return new Cjt188Frame(type, address, control, body.toBytes());
    }
}
