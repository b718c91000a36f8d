package org.meterhub.app.runtime;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.meterhub.app.config.GatewayConfig;
import org.meterhub.app.config.MeterTypes;
import org.meterhub.engine.meter.MeterInfo;
import org.meterhub.gateway.cjt188.Cjt188Options;
import org.meterhub.gateway.driver.MeterEndpoint;
import org.meterhub.gateway.modbus.ModbusOptions;
import org.meterhub.protocol.cjt188.DiOrder;
import org.meterhub.protocol.modbus.RegisterField;
import org.meterhub.protocol.modbus.RegisterProfile;
import org.meterhub.protocol.modbus.RegisterProfiles;
import org.meterhub.protocol.modbus.VolumeUnits;

/** Configured meters as the drivers address them; each register-map profile is loaded once. */
final class MeterEndpoints {
    private final Map<String, RegisterProfile> profiles = new HashMap<>();

    MeterEndpoint of(GatewayConfig.MeterSection m) {
        if (m.isModbus()) {
            RegisterProfile profile = profiles.computeIfAbsent(m.profile(), RegisterProfiles::load);
            return new MeterEndpoint(m.id(), String.valueOf(m.unit()), MeterTypes.medium(m.type()),
                    new ModbusOptions(m.unit(), profile), m.readInterval(), 0);
        }
        DiOrder order = m.diOrder().equals("low-first") ? DiOrder.LOW_FIRST : DiOrder.HIGH_FIRST;
        int type = MeterTypes.code(m.type());
        long qmaxLph = m.qmaxLph() != null ? m.qmaxLph() : Cjt188Options.defaultQmaxLph(type);
        return new MeterEndpoint(m.id(), m.address(), MeterTypes.medium(m.type()),
                new Cjt188Options(type, order, qmaxLph), m.readInterval(),
                m.settlementDay() != null ? m.settlementDay() : 0);
    }

    /** Litres at which the meter's register rolls over to zero. */
    long capacityL(GatewayConfig.MeterSection m) {
        if (!m.isModbus()) return MeterInfo.CJT188_CAPACITY_L;
        RegisterField volume = profiles.computeIfAbsent(m.profile(), RegisterProfiles::load).volume();
        BigDecimal states = switch (volume.type()) {
            case UINT16 -> BigDecimal.valueOf(1L << 16);
            case INT16 -> BigDecimal.valueOf(1L << 15);
            case INT32 -> BigDecimal.valueOf(1L << 31);
            case UINT32 -> BigDecimal.valueOf(1L << 32);
            // a float register does not wrap like an integer; past its exact range readings are flagged anyway
            case FLOAT32, FLOAT64 -> BigDecimal.valueOf(2).pow(volume.type().significandBits());
        };
        BigDecimal step = volume.type().isFloat() ? volume.resolution() : volume.scale();
        try {
            return VolumeUnits.toLitres(states.multiply(step), volume.unit());
        } catch (ArithmeticException e) {
            return volume.type().isFloat() ? Long.MAX_VALUE : MeterInfo.CJT188_CAPACITY_L;
        }
    }
}
