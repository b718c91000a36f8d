package org.meterhub.gateway.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.reading.ConverterValues;
import org.meterhub.engine.reading.Reading;
import org.meterhub.protocol.modbus.FieldValue;
import org.meterhub.protocol.modbus.RegisterDecoder;
import org.meterhub.protocol.modbus.RegisterField;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.meterhub.protocol.modbus.RegisterProfiles;

/** Register values to readings: a volume converter's Vm, p and T go with its reading, in kPa and °C. */
class ModbusReadingMapperTest {
    private static final Instant NOW = Instant.parse("2026-11-24T02:00:00Z");
    private final ModbusReadingMapper mapper = new ModbusReadingMapper(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(10));

    /** Register words of every block of {@code profile}, with integers and floats by field name. */
    private static Map<String, FieldValue> decode(RegisterProfile profile, Map<String, Long> ints, Map<String, Float> floats) {
        List<int[]> blocks = new ArrayList<>();
        for (RegisterProfile.Block b : profile.blocks()) {
            int[] words = new int[b.count()];
            for (RegisterField f : profile.fields()) {
                if (!b.contains(f)) continue;
                int[] w = floats.containsKey(f.name()) ? RegisterDecoder.encodeFloat(f, floats.get(f.name()))
                        : RegisterDecoder.encode(f, ints.getOrDefault(f.name(), 0L));
                System.arraycopy(w, 0, words, f.address() - b.address(), w.length);
            }
            blocks.add(words);
        }
        return RegisterDecoder.decodeAll(profile, blocks);
    }

    @Test
    void anEvcBasicReadingCarriesItsUnconvertedVolumePressureAndTemperature() {
        RegisterProfile evc = RegisterProfiles.builtIn("evc-basic");
        Reading r = mapper.toReading("EVC-1", evc, decode(evc, Map.of("vm", 5_000_123L, "vb", 5_200_456L,
                "time", NOW.getEpochSecond()), Map.of("pressure", 103.4f, "temperature", 12.5f, "qm", 30f)));
        assertThat(r.volumeL()).as("the billed register is Vb").isEqualTo(5_200_456);
        assertThat(r.converter()).isEqualTo(new ConverterValues(5_000_123, new java.math.BigDecimal("103.4"),
                new java.math.BigDecimal("12.5")));
    }

    @Test
    void aProfileInBarAndKelvinIsConvertedExactlyAndAMissingValueLeavesTheReadingWithoutConverterValues() {
        RegisterProfile bar = RegisterProfiles.parse("evc-bar", "test", """
                name,address,function,type,order,scale,unit,meaning,bits,description
                vm,0,3,uint32,ABCD,1,L,unconverted-volume,,
                vb,2,3,uint32,ABCD,1,L,volume,,
                p,4,3,uint16,,0.001,bar,pressure,,absolute pressure in mbar steps
                t,5,3,float32,ABCD,1,K,temperature,,
                """);
        Reading r = mapper.toReading("EVC-2", bar, decode(bar, Map.of("vm", 1_000L, "vb", 1_020L, "p", 1_034L),
                Map.of("t", 285.65f)));
        assertThat(r.converter().pressureKpa()).isEqualByComparingTo("103.4");
        assertThat(r.converter().temperatureC()).isEqualByComparingTo("12.5");
        Reading nan = mapper.toReading("EVC-2", bar, decode(bar, Map.of("vm", 1_000L, "vb", 1_020L, "p", 1_034L),
                Map.of("t", Float.NaN)));
        assertThat(nan.converter()).as("a temperature that is not a number: nothing to check with").isNull();
        assertThat(nan.volumeL()).isEqualTo(1_020);
    }

    @Test
    void aProfileWithoutLineConditionsIsNoConverterAndAPressureInAnUnknownUnitIsRefused() {
        RegisterProfile plain = RegisterProfiles.parse("plain", "test", """
                name,address,function,type,order,scale,unit,meaning,bits,description
                v,0,3,uint32,ABCD,1,L,volume,,
                """);
        assertThat(mapper.toReading("M", plain, decode(plain, Map.of("v", 7L), Map.of())).converter()).isNull();
        assertThatThrownBy(() -> RegisterProfiles.parse("psi", "test", """
                name,address,function,type,order,scale,unit,meaning,bits,description
                v,0,3,uint32,ABCD,1,L,volume,,
                p,2,3,float32,ABCD,1,psi,pressure,,
                """)).hasMessageContaining("a pressure needs unit kPa, Pa, MPa, bar or mbar (absolute), got \"psi\"");
    }
}
