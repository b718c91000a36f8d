package org.meterhub.protocol.modbus;

/**
 * Modbus RTU application frames for reading registers: {@code unit fn data… CRC-lo CRC-hi}. Used by
 * the simulators (slave side) and the decoder; the gateway's master side goes through j2mod.
 */
public final class ModbusRtu {
    public static final int READ_HOLDING = 3;
    public static final int READ_INPUT = 4;
    /** Longest RTU frame the standard allows (unit + 253-byte PDU + CRC). */
    public static final int MAX_FRAME = 256;

    /** Exception codes a slave returns. */
    public static final int ILLEGAL_FUNCTION = 1;
    public static final int ILLEGAL_DATA_ADDRESS = 2;
    public static final int ILLEGAL_DATA_VALUE = 3;

    private ModbusRtu() {
    }

    /** A read request for holding (3) or input (4) registers. */
    public record ReadRequest(int unit, int function, int address, int count) {
    }

    public static byte[] readRequest(ReadRequest r) {
        byte[] f = new byte[8];
        f[0] = (byte) r.unit();
        f[1] = (byte) r.function();
        f[2] = (byte) (r.address() >>> 8);
        f[3] = (byte) r.address();
        f[4] = (byte) (r.count() >>> 8);
        f[5] = (byte) r.count();
        return ModbusCrc.seal(f);
    }

    /**
     * The request in {@code frame[from, from+8)} if it is a CRC-valid read of holding or input
     * registers with a count of 1..125; otherwise null.
     */
    public static ReadRequest parseReadRequest(byte[] frame, int from) {
        if (frame.length - from < 8 || !ModbusCrc.valid(frame, from, from + 8)) return null;
        int fn = frame[from + 1] & 0xFF;
        if (fn != READ_HOLDING && fn != READ_INPUT) return null;
        int address = (frame[from + 2] & 0xFF) << 8 | frame[from + 3] & 0xFF;
        int count = (frame[from + 4] & 0xFF) << 8 | frame[from + 5] & 0xFF;
        if (count < 1 || count > RegisterProfile.MAX_REGISTERS_PER_READ) return null;
        return new ReadRequest(frame[from] & 0xFF, fn, address, count);
    }

    public static byte[] readResponse(int unit, int function, int[] words) {
        byte[] f = new byte[5 + 2 * words.length];
        f[0] = (byte) unit;
        f[1] = (byte) function;
        f[2] = (byte) (2 * words.length);
        for (int i = 0; i < words.length; i++) {
            f[3 + 2 * i] = (byte) (words[i] >>> 8);
            f[4 + 2 * i] = (byte) words[i];
        }
        return ModbusCrc.seal(f);
    }

    public static byte[] exceptionResponse(int unit, int function, int code) {
        return ModbusCrc.seal(new byte[] {(byte) unit, (byte) (function | 0x80), (byte) code, 0, 0});
    }

    public static String functionName(int fn) {
        return switch (fn & 0x7F) {
            case 1 -> "read coils";
            case 2 -> "read discrete inputs";
            case 3 -> "read holding registers";
            case 4 -> "read input registers";
            case 5 -> "write single coil";
            case 6 -> "write single register";
            case 15 -> "write multiple coils";
            case 16 -> "write multiple registers";
            case 17 -> "report server id";
            case 22 -> "mask write register";
            case 23 -> "read/write multiple registers";
            case 43 -> "encapsulated interface transport";
            default -> "(not a public function code)";
        };
    }

    public static String exceptionName(int code) {
        return switch (code) {
            case 1 -> "illegal function";
            case 2 -> "illegal data address";
            case 3 -> "illegal data value";
            case 4 -> "server device failure";
            case 5 -> "acknowledge";
            case 6 -> "server device busy";
            case 8 -> "memory parity error";
            case 10 -> "gateway path unavailable";
            case 11 -> "gateway target device failed to respond";
            default -> "(not a standard exception code)";
        };
    }
}
