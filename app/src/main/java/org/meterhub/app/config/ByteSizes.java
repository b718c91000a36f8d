package org.meterhub.app.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in configuration: {@code 1048576}, {@code 512KiB}, {@code 256MiB}, {@code 2GiB} (powers of 1024). */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(B|KiB|MiB|GiB)?");

    private ByteSizes() {
    }

    public static long parse(String text) {
        return parse("max-size", text, 1L << 20);
    }

    /** {@code text} as bytes; the message of a bad value names {@code field}; at least {@code min} bytes. */
    public static long parse(String field, String text, long min) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(field + ": expected a size such as 64MiB, 2GiB or a number of bytes, got \""
                    + text + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        };
        if (Long.numberOfLeadingZeros(n) <= shift + 1) throw new IllegalArgumentException(field + ": too large: " + text);
        long bytes = n << shift;
        if (bytes < min) {
            throw new IllegalArgumentException(field + ": expected at least " + (min >= (1L << 20) ? (min >> 20) + "MiB"
                    : min + " bytes") + ", got \"" + text + "\"");
        }
        return bytes;
    }
}
