package org.meterhub.engine.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meterhub.engine.meter.Medium;
import org.meterhub.engine.vee.MeterClass;

class LeakProfileSettingsTest {

    /** Params that differ from water's defaults in every detector (gas's), so that which ones apply shows. */
    private static LeakProfile.Params other() {
        return LeakProfile.Params.defaults(Medium.GAS);
    }

    @Test
    void aClassKeyReachesTheDefaultClassOfItsNameWhateverItsCase() {
        LeakProfile.Params dn15 = other();
        assertThat(dn15).isNotEqualTo(LeakProfile.Params.defaults(Medium.WATER));
        LeakProfile.Settings s = new LeakProfile.Settings(Map.of(), Map.of("dn15", dn15));

        // an untyped water meter gets the default class, named "DN15" (upper case), not the YAML's key
        assertThat(s.paramsOf(MeterClass.householdWater())).isEqualTo(dn15);
        assertThat(s.classNamed("Dn15")).isEqualTo("dn15");
    }

    @Test
    void aClassWithoutAKeyKeepsItsMediumsParams() {
        LeakProfile.Settings s = new LeakProfile.Settings(Map.of(), Map.of("dn20", other()));

        assertThat(s.paramsOf(MeterClass.householdWater())).isEqualTo(LeakProfile.Params.defaults(Medium.WATER));
    }
}
