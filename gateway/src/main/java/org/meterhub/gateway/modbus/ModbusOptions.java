package org.meterhub.gateway.modbus;

import java.util.Objects;
import org.meterhub.gateway.driver.DriverOptions;
import org.meterhub.protocol.modbus.RegisterProfile;

/**
 * Per-meter Modbus settings.
 *
 * @param unitId  slave address 1..247 (on Modbus TCP often 1 or 255)
 * @param profile the device model's register map
 */
public record ModbusOptions(int unitId, RegisterProfile profile) implements DriverOptions {
    public ModbusOptions {
        Objects.requireNonNull(profile, "profile");
        if (unitId < 1 || unitId > 255) throw new IllegalArgumentException("unit id must be 1..255, got " + unitId);
    }
}
