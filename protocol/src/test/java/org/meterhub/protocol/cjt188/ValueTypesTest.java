package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void addressIsFourteenDigitsLowByteFirstOnTheWire() {
        MeterAddress a = MeterAddress.of("12345678901234");

        assertThat(a.toWire()).containsExactly(0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12);
        assertThat(MeterAddress.fromWire(a.toWire())).isEqualTo(a);
        assertThat(a).hasToString("12345678901234");
    }

    @Test
    void specialAddresses() {
        assertThat(MeterAddress.fromWire(new byte[] {(byte) 0xAA, (byte) 0xAA, (byte) 0xAA, (byte) 0xAA, (byte) 0xAA,
                (byte) 0xAA, (byte) 0xAA})).isSameAs(MeterAddress.WILDCARD);
        assertThat(MeterAddress.WILDCARD.toWire()).containsOnly(0xAA).hasSize(7);
        assertThat(MeterAddress.WILDCARD.digits()).isEqualTo("AAAAAAAAAAAAAA");
        byte[] nines = new byte[7];
        java.util.Arrays.fill(nines, (byte) 0x99);
        assertThat(MeterAddress.fromWire(nines)).isEqualTo(MeterAddress.BROADCAST);
        assertThat(MeterAddress.BROADCAST.isBroadcast()).isTrue();
    }

    @Test
    void invalidAddressesAreRefused() {
        assertThatThrownBy(() -> MeterAddress.of("1234")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeterAddress.of("1234567890123A")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeterAddress.of("aaaaaaaaaaaaaa")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MeterAddress.fromWire(new byte[] {0x1A, 0, 0, 0, 0, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("address byte A0=0x1A is not BCD");
        assertThatThrownBy(() -> MeterAddress.fromWire(new byte[6])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void litres() {
        assertThat(Quantity.of("12.34", Unit.M3).toLitres()).isEqualTo(12_340L);
        assertThat(Quantity.of("999999.99", Unit.M3).toLitres()).isEqualTo(999_999_990L);
        assertThat(Quantity.of("15.00", Unit.L).toLitres()).isEqualTo(15L);
        assertThatThrownBy(() -> Quantity.of("1.5", Unit.L).toLitres()).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Quantity.of("1.2345", Unit.M3).toLitres()).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Quantity.of("1", Unit.KWH).toLitres()).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("kWh");
    }

    @Test
    void meterTypes() {
        assertThat(MeterType.of(0x30)).contains(MeterType.GAS);
        assertThat(MeterType.of(0x40)).isEmpty();
        assertThat(MeterType.of(0x49)).isEmpty();
        assertThat(MeterType.COLD_WATER.isWater()).isTrue();
        assertThat(MeterType.HEAT_AND_COOLING.isHeat()).isTrue();
        assertThat(MeterType.GAS.isWater()).isFalse();
        assertThat(MeterType.GAS.isHeat()).isFalse();
        assertThat(MeterType.ANY.code()).isEqualTo(0xAA);
    }

    @Test
    void units() {
        assertThat(Unit.of(0x2C)).contains(Unit.M3);
        assertThat(Unit.of(0x35).map(Unit::symbol)).contains("m³/h");
        assertThat(Unit.of(0x03)).isEmpty();
        for (Unit u : Unit.values()) {
            assertThat(Unit.of(u.code())).contains(u);
        }
    }

    @Test
    void clockRoundTripsAndRejectsImpossibleDates() {
        LocalDateTime t = LocalDateTime.of(2026, 2, 28, 23, 59, 58);
        MeterClock clock = MeterClock.of(t);

        assertThat(clock.raw7()).containsExactly(0x58, 0x59, 0x23, 0x28, 0x02, 0x26, 0x20);
        assertThat(clock.value()).isEqualTo(t);
        assertThat(MeterClock.fromWire(new byte[] {0, 0, 0, 0x30, 0x02, 0x26, 0x20}).value()).isNull();  // 30 Feb
        assertThat(MeterClock.fromWire(new byte[] {0x5A, 0, 0, 0x01, 0x01, 0x26, 0x20}).valid()).isFalse();
        assertThat(MeterClock.UNSET.value()).isNull();
        assertThatThrownBy(() -> new MeterClock(clock.raw7(), t.plusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void framesCompareDataByContentAndShowHex() {
        Cjt188Frame a = new Cjt188Frame(0x10, TestVectors.METER, 0x01, new byte[] {0x1F, (byte) 0x90, 0});
        Cjt188Frame b = new Cjt188Frame(0x10, TestVectors.METER, 0x01, new byte[] {0x1F, (byte) 0x90, 0});

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Cjt188Frame(0x10, TestVectors.METER, 0x01, new byte[] {0x1F, (byte) 0x90, 1}));
        assertThat(a.toString()).contains("1F 90 00", "0x10", "00000805000001");
        byte[] data = a.data();
        data[0] = 0;
        assertThat(a.data()[0]).isEqualTo((byte) 0x1F);
    }

    @Test
    void controlBits() {
        Cjt188Frame f = new Cjt188Frame(0x10, TestVectors.METER, 0xE1, new byte[0]);

        assertThat(f.fromMeter()).isTrue();
        assertThat(f.errorReply()).isTrue();
        assertThat(f.followUp()).isTrue();
        assertThat(f.function()).isEqualTo(0x01);
    }

    @Test
    void strictDecodeMessages() {
        assertThatThrownBy(() -> Cjt188Frames.decode(TestVectors.bytes("68 10 01 00 00 05 08 00 00 01 03 1F 90 00 3A 16")))
                .isInstanceOf(Cjt188Exception.class).hasMessage("checksum mismatch: frame says 0x3A, computed 0x39");
        assertThatThrownBy(() -> Cjt188Frames.decode(new byte[0]))
                .isInstanceOf(Cjt188Exception.class).hasMessage("no start byte 0x68 (capture is empty)");
        assertThatThrownBy(() -> Cjt188Frames.decode(TestVectors.bytes("FE FE 10 68")))
                .isInstanceOf(Cjt188Exception.class).hasMessageStartingWith("no start byte 0x68");
    }

    @Test
    void messagesPrintCodesInHex() {
        assertThat(new ReadDataRequest(0x10, TestVectors.METER, 0x901F, 0, DiOrder.LOW_FIRST))
                .hasToString("ReadDataRequest[meterTypeCode=0x10, address=00000805000001, di=901F, ser=0, diOrder=LOW_FIRST]");
        assertThat(new UnknownData(0x45, TestVectors.METER, 0x81, 0x8102, DiOrder.HIGH_FIRST, new byte[] {1, (byte) 0xAB}).toString())
                .contains("control=0x81", "di=8102", "body=01 AB");
    }
}
