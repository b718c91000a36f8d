package org.meterhub.simulators.modbus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.meterhub.protocol.modbus.ModbusRtu;

/**
 * Finds read requests in a byte stream that may carry noise: an 8-byte window whose CRC checks is a
 * request; otherwise the first byte is dropped and the search slides on. Holds at most one
 * maximum-length frame.
 */
public final class RtuRequestFramer {
    private final byte[] buf = new byte[ModbusRtu.MAX_FRAME];
    private int len;
    private long droppedBytes;

    public synchronized List<ModbusRtu.ReadRequest> feed(byte[] bytes) {
        List<ModbusRtu.ReadRequest> out = new ArrayList<>();
        for (byte b : bytes) {
            if (len == buf.length) {
                System.arraycopy(buf, 1, buf, 0, --len);
                droppedBytes++;
            }
            buf[len++] = b;
            while (len >= 8) {
                ModbusRtu.ReadRequest r = ModbusRtu.parseReadRequest(Arrays.copyOf(buf, 8), 0);
                if (r != null) {
                    out.add(r);
                    System.arraycopy(buf, 8, buf, 0, len - 8);
                    len -= 8;
                } else {
                    System.arraycopy(buf, 1, buf, 0, --len);
                    droppedBytes++;
                    if (len < 8) break;
                }
            }
        }
        return out;
    }

    public synchronized long droppedBytes() {
        return droppedBytes;
    }
}
