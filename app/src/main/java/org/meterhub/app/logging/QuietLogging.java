package org.meterhub.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The default logging set up in code, found by logback through {@code META-INF/services}: the same
 * appender, pattern and levels as {@code logback.xml}, without the XML parser and Joran, which cost
 * about half a second of every start (the gateway's start-up budget is 2 s). Anyone who wants their
 * own configuration still gets it: with {@code -Dlogback.configurationFile=...} this steps aside and
 * logback reads that file. The line format is {@link LogFormat}'s: text by default, logfmt or JSON with
 * {@code METERHUB_LOG_FORMAT} or {@code --log-format}.
 */
public final class QuietLogging extends ContextAwareBase implements Configurator {
    /** The pattern of logback.xml's STDERR appender (a test keeps the two equal). */
    public static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogFormat format = LogFormat.fromEnvironment();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(format.encoder(context));
        stderr.start();
        // Quiet by default: the console belongs to the status line; --verbose turns on debug.
        context.getLogger("org.meterhub").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.WARN);
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Switches the STDERR appender to {@code format} ({@code --log-format}); nothing happens under a configuration
     * file of the user's own that has no such appender.
     */
    public static void use(LogFormat format) {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
        if (!(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR") instanceof ConsoleAppender<ILoggingEvent> stderr)) {
            return;
        }
        stderr.stop();
        stderr.setEncoder(format.encoder(context));
        stderr.start();
    }
}
