package org.meterhub.gateway.cjt188;

import org.meterhub.gateway.driver.DriverOptions;
import org.meterhub.protocol.cjt188.DiOrder;

/**
 * Per-meter CJ/T 188 settings.
 *
 * @param meterTypeCode the T byte the meter answers to (0x30 gas, 0x10 cold water …)
 * @param diOrder the DI byte order this meter's firmware expects; replies are accepted in either
 */
public record Cjt188Options(int meterTypeCode, DiOrder diOrder) implements DriverOptions {
}
