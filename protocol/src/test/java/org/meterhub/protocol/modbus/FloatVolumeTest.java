package org.meterhub.protocol.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Float32/float64 volume registers: profiles, exact litres at the declared resolution, PRECISION_LOSS beyond it. */
class FloatVolumeTest {
    static final String HEADER = "name,address,function,type,order,scale,unit,meaning,bits,description,resolution\n";

    static RegisterProfile profile(String rows) {
        return RegisterProfiles.parse("flow-computer", "fc.csv", HEADER + rows);
    }

    private static String error(String rows) {
        try {
            profile(rows);
        } catch (ProfileException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("expected a profile error for " + rows);
    }

    @Test
    void aFloat32VolumeLowWordFirstIsExactLitresAtItsResolution() {
        RegisterProfile p = profile("total,100,4,float32,CDAB,1,m3,volume,,totaliser,0.001\n");
        RegisterField f = p.volume();
        float x = 12345.678f; // exactly 12345.677734375
        int bits = Float.floatToRawIntBits(x);
        int[] words = {bits & 0xFFFF, bits >>> 16}; // low word first
        FieldValue v = RegisterDecoder.decode(f, words, 0);
        assertThat(v.value()).isEqualByComparingTo("12345.678");
        assertThat(v.litres()).isEqualTo(12_345_678L);
        assertThat(v.precisionLoss()).isFalse();
        assertThat(RegisterDecoder.encodeVolume(f, 12_345_678L)).containsExactly(words);
    }

    @Test
    void beyondTheFloatsExactRangeTheNearestStepIsFlaggedNotPassedOffAsExact() {
        RegisterField f = profile("total,0,3,float32,ABCD,1,m3,volume,,,0.001\n").volume();
        // float32 steps are 2^-9 m3 (1.95 L) from 16384 m3: 0.001 m3 can no longer be told apart
        FieldValue below = RegisterDecoder.decode(f, RegisterDecoder.encodeVolume(f, 16_383_999L), 0);
        assertThat(below.litres()).isEqualTo(16_383_999L);
        assertThat(below.precisionLoss()).isFalse();
        FieldValue beyond = RegisterDecoder.decode(f, RegisterDecoder.encodeVolume(f, 123_456_789L), 0);
        assertThat(beyond.precisionLoss()).isTrue();
        assertThat(beyond.litres()).isEqualTo(123_456_789L); // 123456.7890625 rounds back, but its neighbours would too
        // at a resolution of 1 m3 the same float32 is exact up to 2^24 m3
        RegisterField coarse = profile("total,0,3,float32,ABCD,1,m3,volume,,,1\n").volume();
        assertThat(RegisterDecoder.decode(coarse, RegisterDecoder.encodeVolume(coarse, 16_777_215_000L), 0).precisionLoss()).isFalse();
        assertThat(RegisterDecoder.decode(coarse, RegisterDecoder.encodeVolume(coarse, 16_777_216_000L), 0).precisionLoss()).isTrue();
    }

    @Test
    void aFloat64VolumeInEveryWordOrder() {
        for (String order : new String[] {"ABCD", "CDAB", "BADC", "DCBA"}) {
            RegisterField f = profile("vm,0,3,float64," + order + ",1,m3,volume,,,0.001\n").volume();
            double x = 98_765_432.123;
            int[] words = f.order().split64(Double.doubleToRawLongBits(x));
            assertThat(f.order().combine64(words, 0)).isEqualTo(Double.doubleToRawLongBits(x));
            FieldValue v = RegisterDecoder.decode(f, words, 0);
            assertThat(v.litres()).as(order).isEqualTo(98_765_432_123L);
            assertThat(v.precisionLoss()).isFalse();
        }
        long bits = Double.doubleToRawLongBits(1.5);
        RegisterField abcd = profile("vm,0,3,float64,ABCD,1,m3,volume,,,0.001\n").volume();
        assertThat(abcd.order().split64(bits)).containsExactly((int) (bits >>> 48) & 0xFFFF, (int) (bits >>> 32) & 0xFFFF,
                (int) (bits >>> 16) & 0xFFFF, (int) bits & 0xFFFF);
        RegisterField dcba = profile("vm,0,3,float64,DCBA,1,m3,volume,,,0.001\n").volume();
        assertThat(dcba.order().split64(bits)[0]).isEqualTo(Integer.reverseBytes((int) bits & 0xFFFF) >>> 16);
    }

    @Test
    void aScaleAppliesBeforeTheResolution() {
        // a register counting 10 L units as a float: value = x * 10 L, resolution 10 L
        RegisterField f = profile("total,0,3,float32,ABCD,10,L,volume,,,10\n").volume();
        FieldValue v = RegisterDecoder.decode(f, RegisterDecoder.encodeFloat(f, 1234.0f), 0);
        assertThat(v.litres()).isEqualTo(12_340L);
    }

    @Test
    void nanIsNoValue() {
        RegisterField f = profile("total,0,3,float32,ABCD,1,m3,volume,,,0.001\n").volume();
        FieldValue v = RegisterDecoder.decode(f, RegisterDecoder.encodeFloat(f, Float.NaN), 0);
        assertThat(v.hasValue()).isFalse();
        assertThat(v.text()).isEqualTo("NaN");
    }

    @Test
    void wrongCombinationsAreOneLineErrorsNamingLineAndColumn() {
        assertThat(error("total,0,3,float32,CDAB,1,m3,volume,,,\n"))
                .isEqualTo("fc.csv:2: resolution: a float32 volume needs a resolution, the register's step in m3 (e.g. 0.001 for 1 L in m3)");
        assertThat(error("total,0,3,uint32,ABCD,0.001,m3,volume,,,0.001\n"))
                .isEqualTo("fc.csv:2: resolution: applies to float32/float64 volumes only, not to a uint32 volume field");
        assertThat(error("total,0,3,float32,ABCD,1,m3,volume,,,0.001\nq,2,3,float32,ABCD,1,m3/h,flow,,,0.1\n"))
                .isEqualTo("fc.csv:3: resolution: applies to float32/float64 volumes only, not to a float32 flow field");
        assertThat(error("total,0,3,float64,ABCD,1,m3,volume,,,0.0001\n"))
                .isEqualTo("fc.csv:2: resolution: 0.0001 m3 is not a whole number of litres (readings are kept in litres)");
        assertThat(error("total,0,3,float32,ABCD,1,m3,volume,,,-1\n")).isEqualTo("fc.csv:2: resolution: must be positive, got -1");
        assertThat(error("total,0,3,float32,ABCD,1,m3,volume,,,abc\n")).isEqualTo("fc.csv:2: resolution: expected a number, got \"abc\"");
        assertThat(error("total,0,3,float64,ABCD,1,m3,volume,,\n")).isEqualTo("fc.csv:2: expected 11 columns, got 10");
        assertThat(error("total,0,3,float16,ABCD,1,m3,volume,,,1\n"))
                .startsWith("fc.csv:2: type: expected one of uint16, int16, uint32, int32, float32, float64");
        // without the resolution column, a float volume says what is missing
        assertThatThrownBy(() -> RegisterProfiles.parse("x", "x.csv",
                "name,address,function,type,order,scale,unit,meaning,bits,description\nv,0,3,float32,ABCD,1,m3,volume,,\n"))
                .hasMessage("x.csv:2: resolution: a float32 volume needs a resolution, the register's step in m3 (e.g. 0.001 for 1 L in m3)");
        assertThat(new RegisterField("v", 0, 3, RegisterType.FLOAT64, WordOrder.ABCD, BigDecimal.ONE, "L", FieldMeaning.VOLUME,
                java.util.Map.of(), BigDecimal.ONE).lastAddress()).isEqualTo(3);
    }
}
