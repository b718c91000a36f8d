package org.meterhub.protocol.cjt188;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Set;

/**
 * toString for the message records: like the generated one, but with the codes engineers read as hex
 * written in hex ({@code di=901F}, not {@code di=36895}), so logs can be compared with captures.
 */
final class MessageText {

    private static final Set<String> HEX_BYTES = Set.of("meterTypeCode", "control");
    private static final Set<String> HEX_WORDS = Set.of("errorStatus");

    private MessageText() {
    }

    static String of(Record message) {
        StringBuilder sb = new StringBuilder(message.getClass().getSimpleName()).append('[');
        RecordComponent[] components = message.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            Object value = value(c, message);
            sb.append(i == 0 ? "" : ", ").append(c.getName()).append('=');
            if (value instanceof Integer v && c.getName().equals("di")) {
                sb.append(Hex.di(v));
            } else if (value instanceof Integer v && HEX_BYTES.contains(c.getName())) {
                sb.append(Hex.byteValue(v));
            } else if (value instanceof Integer v && HEX_WORDS.contains(c.getName())) {
                sb.append("0x").append(Hex.di(v));
            } else if (value instanceof byte[] bytes) {
                sb.append(Hex.bytes(bytes));
            } else {
                sb.append(value);
            }
        }
        return sb.append(']').toString();
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }
}
