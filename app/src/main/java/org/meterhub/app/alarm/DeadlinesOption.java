package org.meterhub.app.alarm;

import org.meterhub.app.config.DeadlinesFile;
import picocli.CommandLine.Option;

/** {@code --deadlines FILE}: the response-time settings (alarm deadlines, dispute deadlines, working days). */
public final class DeadlinesOption {
    @Option(names = "--deadlines", paramLabel = "FILE",
            description = "Response times and working-day calendar, YAML (docs/alarms.md); default: the service regulations' numbers.")
    String file;

    /** The file given, or null for the built-in numbers. */
    public java.nio.file.Path path() {
        return file == null ? null : java.nio.file.Path.of(file);
    }

    public DeadlinesFile load() {
        return DeadlinesFile.load(file);
    }
}
