package org.meterhub.protocol.cjt188;

import static org.meterhub.protocol.cjt188.Cjt188Frames.ADDRESS_OFFSET;
import static org.meterhub.protocol.cjt188.Cjt188Frames.CONTROL_OFFSET;
import static org.meterhub.protocol.cjt188.Cjt188Frames.END_BYTE;
import static org.meterhub.protocol.cjt188.Cjt188Frames.HEADER_LENGTH;
import static org.meterhub.protocol.cjt188.Cjt188Frames.LENGTH_OFFSET;
import static org.meterhub.protocol.cjt188.Cjt188Frames.PREAMBLE_BYTE;
import static org.meterhub.protocol.cjt188.Cjt188Frames.START_BYTE;
import static org.meterhub.protocol.cjt188.Cjt188Frames.TYPE_OFFSET;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A lenient walk over one captured frame that records where every part is and everything that is
 * wrong, instead of stopping at the first problem. {@link Cjt188Frames#decode} reports the first problem,
 * the explainer shows all of them, the stream decoder checks a candidate with it: one set of rules and
 * one wording for all three.
 *
 * <p>Offsets are into the capture. -1 means "not present in the capture".
 */
final class FrameDissection {

    private final byte[] bytes;
    private final List<String> problems = new ArrayList<>();

    private int preambleLength;
    private int garbageLength;
    private int start = -1;
    private int length = -1;
    private int dataAvailable;
    private int checksumOffset = -1;
    private int checksumComputed = -1;
    private int endOffset = -1;
    private int trailingFrom = -1;
    private MeterAddress address;
    private Cjt188Frame frame;

    private FrameDissection(byte[] bytes) {
        this.bytes = bytes;
    }

    static FrameDissection of(byte[] capture) {
        FrameDissection d = new FrameDissection(capture.clone());
        d.walk();
        return d;
    }

    private void walk() {
        int n = bytes.length;
        int pos = 0;
        while (pos < n && (bytes[pos] & 0xFF) == PREAMBLE_BYTE) {
            pos++;
        }
        preambleLength = pos;
        if (!findStart(pos)) {
            return;
        }
        if (n - start < HEADER_LENGTH) {
            problems.add("truncated frame: " + (n - start) + " bytes from the start byte at offset " + start
                    + ", a frame has at least " + Cjt188Frames.OVERHEAD);
            return;
        }
        length = u8(start + LENGTH_OFFSET);
        checkLengthAndEnd();
        checkChecksum();
        String addressProblem = MeterAddress.wireProblem(bytes, start + ADDRESS_OFFSET);
        if (addressProblem != null) {
            problems.add(addressProblem);
        } else {
            address = MeterAddress.fromWire(Arrays.copyOfRange(bytes, start + ADDRESS_OFFSET,
                    start + ADDRESS_OFFSET + MeterAddress.WIRE_LENGTH));
        }
        if (problems.isEmpty()) {
            frame = new Cjt188Frame(type(), address, control(), data());
        }
    }

    private boolean findStart(int pos) {
        int n = bytes.length;
        if (pos < n && u8(pos) == START_BYTE) {
            start = pos;
            return true;
        }
        if (pos >= n) {
            problems.add("no start byte 0x68 (" + (n == 0 ? "capture is empty" : "capture has only " + n + " preamble bytes") + ")");
            return false;
        }
        int next = -1;
        for (int i = pos; i < n && next < 0; i++) {
            if (u8(i) == START_BYTE) {
                next = i;
            }
        }
        if (next < 0) {
            problems.add("no start byte 0x68 (offset " + pos + " holds " + Hex.byteValue(bytes[pos]) + " and no 0x68 follows)");
            return false;
        }
        problems.add("no start byte 0x68 at offset " + pos + " (found " + Hex.byteValue(bytes[pos]) + "); "
                + (next - pos) + " bytes skipped up to the 0x68 at offset " + next);
        garbageLength = next - pos;
        start = next;
        return true;
    }

    private void checkLengthAndEnd() {
        int n = bytes.length;
        int dataFrom = start + HEADER_LENGTH;
        int frameEnd = dataFrom + length + 2;  // exclusive
        dataAvailable = Math.min(length, n - dataFrom);
        checksumOffset = dataFrom + length < n ? dataFrom + length : -1;
        endOffset = frameEnd - 1 < n ? frameEnd - 1 : -1;
        if (n > frameEnd) {
            trailingFrom = frameEnd;
        }
        if (n >= frameEnd && u8(frameEnd - 1) == END_BYTE) {
            if (n > frameEnd) {
                problems.add((n - frameEnd) + (n - frameEnd == 1 ? " unexpected byte" : " unexpected bytes")
                        + " after the end byte at offset " + (frameEnd - 1));
            }
        } else if (n == frameEnd - 1 && checksumMatches()) {
            // Everything up to the checksum is consistent with L: the capture just stops before 0x16.
            problems.add("missing end byte 0x16 at offset " + (frameEnd - 1) + " (the capture ends there)");
        } else if (n != frameEnd) {
            int present = Math.max(0, n - dataFrom - 2);
            problems.add("length field L=" + Hex.byteValue(length) + " but " + present + " data bytes present");
        } else {
            problems.add("missing end byte 0x16 at offset " + (frameEnd - 1) + " (found "
                    + Hex.byteValue(bytes[frameEnd - 1]) + ")");
        }
    }

    private boolean checksumMatches() {
        return checksumOffset >= 0 && u8(checksumOffset) == Cjt188Frames.checksum(bytes, start, checksumOffset);
    }

    private void checkChecksum() {
        if (checksumOffset < 0) {
            return;
        }
        checksumComputed = Cjt188Frames.checksum(bytes, start, checksumOffset);
        int given = u8(checksumOffset);
        if (given != checksumComputed) {
            problems.add("checksum mismatch: frame says " + Hex.byteValue(given) + ", computed "
                    + Hex.byteValue(checksumComputed));
        }
    }

    private int u8(int offset) {
        return bytes[offset] & 0xFF;
    }

    byte[] bytes() {
        return bytes;
    }

    List<String> problems() {
        return problems;
    }

    /** The frame, when there are no problems; null otherwise. */
    Cjt188Frame frame() {
        return frame;
    }

    int preambleLength() {
        return preambleLength;
    }

    int garbageLength() {
        return garbageLength;
    }

    int start() {
        return start;
    }

    /** Whether the capture reaches the given offset from the start byte. */
    boolean hasHeaderByte(int offsetFromStart) {
        return start >= 0 && start + offsetFromStart < bytes.length;
    }

    int type() {
        return u8(start + TYPE_OFFSET);
    }

    int control() {
        return u8(start + CONTROL_OFFSET);
    }

    /** L, or -1 when the capture stops before it. */
    int length() {
        return length;
    }

    /** The address when its bytes are valid, else null. */
    MeterAddress address() {
        return address;
    }

    int dataFrom() {
        return start + HEADER_LENGTH;
    }

    /** Data bytes present, at most L. */
    int dataAvailable() {
        return dataAvailable;
    }

    byte[] data() {
        return Arrays.copyOfRange(bytes, dataFrom(), dataFrom() + dataAvailable);
    }

    int checksumOffset() {
        return checksumOffset;
    }

    int checksumComputed() {
        return checksumComputed;
    }

    int endOffset() {
        return endOffset;
    }

    int trailingFrom() {
        return trailingFrom;
    }
}
