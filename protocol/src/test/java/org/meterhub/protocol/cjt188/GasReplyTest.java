package org.meterhub.protocol.cjt188;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.meterhub.protocol.cjt188.TestVectors.bytes;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class GasReplyTest {

    @Test
    void gasCurrentDataDecodesExactly() throws Exception {
        GasWaterCurrentData gas = (GasWaterCurrentData) Cjt188Messages.decode(Cjt188Frames.decode(bytes(TestVectors.GAS_901F)));

        assertThat(gas.meterTypeCode()).isEqualTo(0x30);
        assertThat(gas.address()).isEqualTo(TestVectors.METER);
        assertThat(gas.ser()).isEqualTo(1);
        assertThat(gas.diOrder()).isEqualTo(DiOrder.LOW_FIRST);
        assertThat(gas.current().value()).isEqualByComparingTo("1234.56");
        assertThat(gas.current().unit()).isEqualTo(Unit.M3);
        assertThat(gas.current().toLitres()).isEqualTo(1_234_560L);
        assertThat(gas.settlement().toLitres()).isEqualTo(1_200_000L);
        assertThat(gas.clock().value()).isEqualTo(LocalDateTime.of(2026, 11, 23, 8, 0, 0));
        assertThat(gas.clock().valid()).isTrue();
        assertThat(gas.status().valveClosed()).isTrue();
        assertThat(gas.status().valveFault()).isFalse();
        assertThat(gas.status().lowBattery()).isTrue();
        assertThat(gas.status().bits()).isEqualTo(0x0005);
    }

    @Test
    void allZeroClockHasNoValueButKeepsTheReading() throws Exception {
        byte[] wire = Cjt188Frames.encode(Cjt188Messages.encode(new GasWaterCurrentData(0x10, TestVectors.METER, 0,
                DiOrder.HIGH_FIRST, Quantity.of("12.34", Unit.M3), Quantity.of("1", Unit.M3), MeterClock.UNSET,
                new MeterStatus(0x02, 0))), 0);

        GasWaterCurrentData water = (GasWaterCurrentData) Cjt188Messages.decode(Cjt188Frames.decode(wire));

        assertThat(water.clock().value()).isNull();
        assertThat(water.clock().valid()).isFalse();
        assertThat(water.clock().raw7()).containsExactly(0, 0, 0, 0, 0, 0, 0);
        assertThat(water.current().toLitres()).isEqualTo(12_340L);
        assertThat(water.status().valveFault()).isTrue();
        assertThat(water.status().valveClosed()).isFalse();
        assertThat(water.status().lowBattery()).isFalse();
    }

    @Test
    void nonBcdVolumeIsAnErrorNamingTheField() throws Exception {
        Cjt188Frame frame = Cjt188Frames.decode(bytes(TestVectors.GAS_901F_BAD_BCD));

        assertThatThrownBy(() -> Cjt188Messages.decode(frame)).isInstanceOf(Cjt188Exception.class)
                .hasMessage("current cumulative: 5A 34 12 00 is not BCD (byte 0x5A has a nibble above 9)");
    }

    @Test
    void bodyTooShortIsAnErrorWithBothLengths() {
        Cjt188Frame frame = new Cjt188Frame(0x30, TestVectors.METER, 0x81, bytes("90 1F 00 56 34 12 00 2C"));

        assertThatThrownBy(() -> Cjt188Messages.decode(frame)).isInstanceOf(Cjt188Exception.class)
                .hasMessage("901F water/gas reply too short: needs 22 data bytes (L=0x16), frame has 8 (L=0x08)");
    }

    @Test
    void unknownUnitIsAnError() {
        Cjt188Frame frame = new Cjt188Frame(0x30, TestVectors.METER, 0x81,
                bytes("90 1F 00 56 34 12 00 2D 00 00 00 00 2C 00 00 00 00 00 00 00 00 00"));

        assertThatThrownBy(() -> Cjt188Messages.decode(frame)).isInstanceOf(Cjt188Exception.class)
                .hasMessage("current cumulative: unknown unit code 0x2D");
    }

    @Test
    void heatMeterUsesTheHeatLayoutAndCustomTypesStayUnknown() throws Exception {
        byte[] body = new byte[2 + 1 + HeatCurrentData.BODY_LENGTH];
        DiOrder.HIGH_FIRST.write(0x901F, body, 0);
        for (int q = 0; q < 5; q++) {
            body[3 + q * 5 + 4] = (byte) Unit.KWH.code();
        }
        Cjt188Message heat = Cjt188Messages.decode(new Cjt188Frame(0x20, TestVectors.METER, 0x81, body));
        Cjt188Message custom = Cjt188Messages.decode(new Cjt188Frame(0x41, TestVectors.METER, 0x81, body));

        assertThat(heat).isInstanceOf(HeatCurrentData.class);
        assertThat(((HeatCurrentData) heat).supplyTemperature()).isEqualTo(new BigDecimal("0.00"));
        assertThat(custom).isInstanceOf(UnknownData.class);
        assertThat(((UnknownData) custom).body()).hasSize(1 + HeatCurrentData.BODY_LENGTH);
    }

    @Test
    void invalidValveCommandIsRejected() {
        Cjt188Frame frame = new Cjt188Frame(0x10, TestVectors.METER, 0x04, bytes("A0 17 00 12"));

        assertThatThrownBy(() -> Cjt188Messages.decode(frame)).isInstanceOf(Cjt188Exception.class)
                .hasMessageContaining("0x12 is neither 0x55 (open) nor 0x99 (close)");
    }

    @Test
    void valveCommandBytes() {
        assertThat(Cjt188Messages.encode(new WriteValveRequest(0x10, TestVectors.METER, 0, true, DiOrder.HIGH_FIRST)).data())
                .containsExactly(0xA0, 0x17, 0x00, 0x99);
        assertThat(Cjt188Messages.encode(new WriteValveRequest(0x10, TestVectors.METER, 0, false, DiOrder.LOW_FIRST)).data())
                .containsExactly(0x17, 0xA0, 0x00, 0x55);
    }

    @Test
    void errorReplyHasSerAndTwoStatusBytes() throws Exception {
        Cjt188Message m = Cjt188Messages.decode(new Cjt188Frame(0x10, TestVectors.METER, 0xC1, bytes("07 04 00")));

        assertThat(m).isEqualTo(new ErrorReply(0x10, TestVectors.METER, 0xC1, 7, 0x0004));
        assertThat(((ErrorReply) m).status().lowBattery()).isTrue();
    }

    @Test
    void valuesThatDoNotFitTheWireAreRefusedWhenTheMessageIsBuilt() {
        assertThatThrownBy(() -> new GasWaterCurrentData(0x30, TestVectors.METER, 0, DiOrder.HIGH_FIRST,
                Quantity.of("1.234", Unit.M3), Quantity.of("0", Unit.M3), MeterClock.UNSET, MeterStatus.OK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("current");
        assertThatThrownBy(() -> new GasWaterCurrentData(0x30, TestVectors.METER, 0, DiOrder.HIGH_FIRST,
                Quantity.of("1000000", Unit.M3), Quantity.of("0", Unit.M3), MeterClock.UNSET, MeterStatus.OK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> new GasWaterCurrentData(0x20, TestVectors.METER, 0, DiOrder.HIGH_FIRST,
                Quantity.of("1", Unit.M3), Quantity.of("0", Unit.M3), MeterClock.UNSET, MeterStatus.OK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MonthlyHistory(0x10, TestVectors.METER, 0xD121, 0, DiOrder.HIGH_FIRST, 1,
                Quantity.of("1", Unit.M3))).isInstanceOf(IllegalArgumentException.class);
    }
}
