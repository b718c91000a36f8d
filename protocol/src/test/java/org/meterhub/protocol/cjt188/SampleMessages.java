package org.meterhub.protocol.cjt188;

import static org.meterhub.protocol.cjt188.TestVectors.METER;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import java.util.function.Function;

/** One message of every kind, built for a given DI order. */
final class SampleMessages {

    private SampleMessages() {
    }

    record Sample(String name, Function<DiOrder, Cjt188Message> build) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Sample> all() {
        MeterClock clock = MeterClock.of(LocalDateTime.of(2026, 11, 23, 8, 0, 5));
        return List.of(
                new Sample("ReadDataRequest", o -> new ReadDataRequest(0x10, METER, Cjt188Di.CURRENT_DATA, 7, o)),
                new Sample("ReadAddressRequest", o -> new ReadAddressRequest(0xAA, MeterAddress.WILDCARD, Cjt188Di.METER_ADDRESS, 0, o)),
                new Sample("ReadAddressReply", o -> new ReadAddressReply(0x30, METER, Cjt188Di.METER_ADDRESS, 255, o)),
                new Sample("WriteValveRequest close", o -> new WriteValveRequest(0x10, METER, 3, true, o)),
                new Sample("WriteValveRequest open", o -> new WriteValveRequest(0x30, MeterAddress.BROADCAST, 4, false, o)),
                new Sample("WriteDataReply with status", o -> new WriteDataReply(0x10, METER, Cjt188Di.WRITE_VALVE, 3, o, 0x0401)),
                new Sample("WriteDataReply without status", o -> new WriteDataReply(0x10, METER, Cjt188Di.WRITE_ADDRESS, 9, o, WriteDataReply.NO_STATUS)),
                new Sample("GasWaterCurrentData gas", o -> new GasWaterCurrentData(0x30, METER, 1, o,
                        Quantity.of("1234.56", Unit.M3), Quantity.of("1200", Unit.M3), clock, new MeterStatus(0x05, 0x00))),
                new Sample("GasWaterCurrentData water, unset clock", o -> new GasWaterCurrentData(0x11, METER, 2, o,
                        Quantity.of("999999.99", Unit.L), Quantity.of("0", Unit.L), MeterClock.UNSET, MeterStatus.OK)),
                new Sample("HeatCurrentData", o -> new HeatCurrentData(0x20, METER, 5, o,
                        Quantity.of("1520.30", Unit.KWH), Quantity.of("1633.07", Unit.KWH), Quantity.of("2.5", Unit.KW),
                        Quantity.of("1.2345", Unit.M3_PER_H), Quantity.of("345.67", Unit.M3),
                        new BigDecimal("60.5"), new BigDecimal("41.25"), 18234, clock, new MeterStatus(0x04, 0x80))),
                new Sample("MonthlyHistory", o -> MonthlyHistory.of(0x10, METER, 12, 6, o, Quantity.of("87.65", Unit.M3))),
                new Sample("MeterTimeReply", o -> new MeterTimeReply(0x10, METER, 8, o, clock)),
                new Sample("PurchaseAmount", o -> new PurchaseAmount(0x30, METER, 9, o, 42, new BigDecimal("300"))),
                new Sample("ErrorReply", o -> new ErrorReply(0x10, METER, 0xC1, 10, 0x0102)),
                new Sample("UnknownData (price table)", o -> new UnknownData(0x10, METER, 0x81, Cjt188Di.PRICE_TABLE, o,
                        new byte[] {11, 0x00, 0x35, 0x02, 0x00})),
                new Sample("UnknownData (custom type, follow-up)", o -> new UnknownData(0x45, METER, 0xA1, Cjt188Di.CURRENT_DATA, o,
                        new byte[] {12, 1, 2, 3})));
    }

    /** Every message kind appears in {@link #all()}; keeps the list honest when a kind is added. */
    static final List<Class<?>> KINDS = List.of(Cjt188Message.class.getPermittedSubclasses());
}
