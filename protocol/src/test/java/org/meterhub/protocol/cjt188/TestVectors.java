package org.meterhub.protocol.cjt188;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The public vectors from protocols.md §1 and a few frames built from them, as hex text. */
final class TestVectors {

    static final String V1 = "FE FE FE 68 AA AA AA AA AA AA AA AA 03 03 81 0A 00 49 16";
    static final String V2 = "68 10 01 00 00 05 08 00 00 83 03 81 0A 00 97 16";
    static final String V3 = "68 10 01 00 00 05 08 00 00 01 03 1F 90 00 39 16";

    /** Gas meter 901F reply, DI low byte first, 1234.56 m³, settlement 1200.00 m³, 2026-11-23 08:00:00, ST0=05. */
    static final String GAS_901F = "FE FE 68 30 01 00 00 05 08 00 00 81 16 1F 90 01 56 34 12 00 2C 00 00 12 00 2C"
            + " 00 00 08 23 11 26 20 05 00 7A 16";

    /** Checksum-valid 901F gas reply whose current volume has a nibble A, and an all-zero clock. */
    static final String GAS_901F_BAD_BCD = "68 30 01 00 00 05 08 00 00 81 16 90 1F 02 5A 34 12 00 2C 00 00 12 00 2C"
            + " 00 00 00 00 00 00 00 00 00 F8 16";

    static final MeterAddress METER = MeterAddress.of("00000805000001");

    private TestVectors() {
    }

    static byte[] bytes(String hex) {
        return Hex.parse(hex);
    }

    static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(bytes(hex));
    }

    static ByteBuf buf(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }
}
