package org.meterhub.app.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.util.Locale;

/**
 * How log lines look on stderr. {@code text} is today's human line; {@code logfmt} and {@code json} are one event a
 * line for journald and log shippers (fields time, level, logger, thread, msg, and error with the stack trace).
 * Chosen with {@code --log-format} or the environment variable {@code METERHUB_LOG_FORMAT} (what the systemd units
 * set); rotation is journald's, not the process's.
 */
public enum LogFormat {
    TEXT, LOGFMT, JSON;

    /** The environment variable that chooses the format when no {@code --log-format} is given. */
    public static final String ENV = "METERHUB_LOG_FORMAT";

    /** @throws IllegalArgumentException naming the accepted values */
    public static LogFormat parse(String s) {
        for (LogFormat f : values()) {
            if (f.name().equalsIgnoreCase(s.trim())) return f;
        }
        throw new IllegalArgumentException("expected text, logfmt or json, got \"" + s + "\"");
    }

    /** From {@link #ENV}; {@code text} when unset, and when set to something else (logging must not stop a start). */
    public static LogFormat fromEnvironment() {
        String v = System.getenv(ENV);
        if (v == null || v.isBlank()) return TEXT;
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            System.err.println("meterhub: " + ENV + ": " + e.getMessage() + "; logging as text");
            return TEXT;
        }
    }

    Encoder<ILoggingEvent> encoder(Context context) {
        if (this == TEXT) {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(context);
            text.setPattern(QuietLogging.PATTERN);
            text.start();
            return text;
        }
        Layout<ILoggingEvent> layout = new Structured(this == JSON);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    /** One event a line, as JSON or logfmt. */
    static final class Structured extends LayoutBase<ILoggingEvent> {
        private final boolean json;

        Structured(boolean json) {
            this.json = json;
        }

        @Override
        public String doLayout(ILoggingEvent e) {
            StringBuilder b = new StringBuilder(256);
            if (json) b.append('{');
            field(b, "time", Instant.ofEpochMilli(e.getTimeStamp()).toString(), true);
            field(b, "level", e.getLevel().toString(), false);
            field(b, "logger", e.getLoggerName(), false);
            field(b, "thread", e.getThreadName(), false);
            field(b, "msg", e.getFormattedMessage(), false);
            IThrowableProxy t = e.getThrowableProxy();
            if (t != null) field(b, "error", ThrowableProxyUtil.asString(t), false);
            if (json) b.append('}');
            return b.append(CoreConstants.LINE_SEPARATOR).toString();
        }

        private void field(StringBuilder b, String key, String value, boolean first) {
            String v = value == null ? "" : value;
            if (json) {
                if (!first) b.append(',');
                b.append('"').append(key).append("\":\"");
                JsonStringEncoder.getInstance().quoteAsString(v, b);
                b.append('"');
                return;
            }
            if (!first) b.append(' ');
            b.append(key).append('=');
            if (!v.isEmpty() && v.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\')) {
                b.append(v);
            } else {
                b.append('"');
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    switch (c) {
                        case '"' -> b.append("\\\"");
                        case '\\' -> b.append("\\\\");
                        case '\n' -> b.append("\\n");
                        case '\r' -> b.append("\\r");
                        case '\t' -> b.append("\\t");
                        default -> b.append(c);
                    }
                }
                b.append('"');
            }
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
