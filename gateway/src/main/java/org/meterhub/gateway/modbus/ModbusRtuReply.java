package org.meterhub.gateway.modbus;

/**
 * A CRC-checked Modbus RTU reply to a register read: either the registers or an exception code.
 *
 * @param function      the request's function code (3 or 4), without the exception bit
 * @param exceptionCode 0 for a normal reply, else the slave's exception code
 * @param registers     the register words (0..65535); empty for an exception reply
 */
public record ModbusRtuReply(int unit, int function, int exceptionCode, int[] registers) {
    public ModbusRtuReply {
        registers = registers.clone();
    }

    public boolean isException() {
        return exceptionCode != 0;
    }

    @Override
    public int[] registers() {
        return registers.clone();
    }

    int registerCount() {
        return registers.length;
    }
}
